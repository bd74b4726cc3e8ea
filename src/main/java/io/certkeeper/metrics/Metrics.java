package io.certkeeper.metrics;

import io.certkeeper.store.MetricsRepository;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import io.certkeeper.util.Version;
import java.io.IOException;
import java.io.Writer;
import java.util.Objects;

/**
 * Renders certkeeper's metrics in the Prometheus text format. Two views:
 *
 * <ul>
 *   <li>{@link #ofStore} — what the store knows: certificates, renewal times, endpoint probes, the
 *       certificates the listeners serve, the watched files, the renewal and alert counters, and
 *       build info. This is what {@code certkeeper metrics} prints from any process, e.g. for
 *       node_exporter's textfile collector.
 *   <li>{@link #ofDaemon} — the same plus the daemon's JVM and process metrics. The daemon's
 *       {@code /metrics} endpoint serves this view.
 * </ul>
 *
 * Each {@link #collect()} reads the store in a few short transactions: the certificates, endpoints and
 * listeners in one, the watched files in another, the counters in two more.
 */
public final class Metrics {
  private final Store store;
  private final boolean process;
  /** The node whose view this is ({@code node:}, else the host name): a label of the build info, and whose listeners it shows. */
  private final String node;

  private Metrics(Store store, boolean process, String node) {
    this.store = Objects.requireNonNull(store, "store");
    this.process = process;
    this.node = Objects.requireNonNull(node, "node");
  }

  /** The store's view, for any process (the CLI), as node {@code node} sees it. */
  public static Metrics ofStore(Store store, String node) {
    return new Metrics(store, false, node);
  }

  /** Everything, for the daemon's own process, node {@code node}. */
  public static Metrics ofDaemon(Store store, String node) {
    return new Metrics(store, true, node);
  }

  /** Reads the store and the in-process state into one exposition. */
  public Exposition collect() throws StoreException {
    Exposition e = new Exposition();
    StoreMetrics.addTo(e, new MetricsRepository(store).read(node));
    e.gauge("certkeeper_build_info", "certkeeper's version, the Java runtime it runs on and the node (always 1).",
        "version", "java", "node").add(1, Version.current(), System.getProperty("java.version"), node);
    FileMetrics.addTo(e, new io.certkeeper.store.WatchedFileRepository(store, node).list());
    Counters.addTo(e, new io.certkeeper.store.EventCounts(store));
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
