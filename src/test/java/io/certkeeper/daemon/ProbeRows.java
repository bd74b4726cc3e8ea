package io.certkeeper.daemon;

import io.certkeeper.store.ProbeResultRepository;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Probes an endpoint through {@link EndpointProbes} until the store holds a given number of its results. */
final class ProbeRows {
  /** How long a test waits for one result row. */
  static final Duration DEADLINE = Duration.ofSeconds(60);
  /** Longer than a probe's own timeout (10 s in these tests): a dispatch that was skipped is repeated after it. */
  private static final Duration REDISPATCH = Duration.ofSeconds(15);

  private ProbeRows() {}

  /**
   * Dispatches the probe of {@code id} until its row number {@code rows} is recorded. A dispatch
   * while the previous probe of the endpoint is still finishing (its row written, its slot not yet
   * free) is skipped by design, so one dispatch is not enough on a loaded machine.
   */
  static void await(EndpointProbes probes, ProbeResultRepository results, String id, long rows) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    long nextDispatch = System.nanoTime();
    while (results.count(id) < rows) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("no result row " + rows + " for " + id + " within " + DEADLINE);
      }
      if (System.nanoTime() - nextDispatch >= 0) {
        probes.dispatch(id, Duration.ZERO);
        nextDispatch = System.nanoTime() + REDISPATCH.toNanos();
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }
}
