package io.certkeeper.metrics;

import io.certkeeper.store.MetricsRepository;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import io.certkeeper.util.Version;
import java.io.IOException;
import java.io.Writer;
import java.util.Objects;
import java.util.Optional;

/**
 * Renders certkeeper's metrics in the Prometheus text format. Two views:
 *
 * <ul>
 *   <li>{@link #ofStore} — what the store knows: certificates, renewal times, endpoint probes, the
 *       certificates the listeners serve, and build info. This is what {@code certkeeper metrics}
 *       prints from any process, e.g. for node_exporter's textfile collector.
 *   <li>{@link #ofDaemon} — the same plus what only the running daemon knows: its renewal and
 *       alert counters, and JVM and process metrics. The
 *       daemon's {@code /metrics} endpoint serves this view.
 * </ul>
 *
 * Each {@link #collect()} reads the store once, in one transaction.
 */
public final class Metrics {
  private final Store store;
  private final Optional<Counters> counters;
  private final boolean process;
  /** The node whose view this is ({@code node:}, else the host name): a label of the build info, and whose listeners it shows. */
  private final String node;

  private Metrics(Store store, Optional<Counters> counters, boolean process, String node) {
    this.store = Objects.requireNonNull(store, "store");
    this.counters = counters;
    this.process = process;
    this.node = Objects.requireNonNull(node, "node");
  }

  /** The store's view, for any process (the CLI), as node {@code node} sees it. */
  public static Metrics ofStore(Store store, String node) {
    return new Metrics(store, Optional.empty(), false, node);
  }

  /** Everything, for the daemon's own process, node {@code node}. */
  public static Metrics ofDaemon(Store store, Counters counters, String node) {
    return new Metrics(store, Optional.of(Objects.requireNonNull(counters, "counters")), true, node);
  }

  /** Reads the store and the in-process state into one exposition. */
  public Exposition collect() throws StoreException {
    Exposition e = new Exposition();
    StoreMetrics.addTo(e, new MetricsRepository(store).read(node));
    e.gauge("certkeeper_build_info", "certkeeper's version, the Java runtime it runs on and the node (always 1).",
        "version", "java", "node").add(1, Version.current(), System.getProperty("java.version"), node);
    counters.ifPresent(c -> c.addTo(e));
    if (process) {
      JvmMetrics.addTo(e);
    }
    return e;
  }

  /** Collects and writes the exposition, in {@link Exposition#CONTENT_TYPE}. */
  public void writeTo(Writer out) throws StoreException, IOException {
    collect().writeTo(out);
  }
}
