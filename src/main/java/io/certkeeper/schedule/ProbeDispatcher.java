package io.certkeeper.schedule;

import java.time.Duration;

/**
 * Where probe jobs hand their work: starts a probe of one endpoint (after {@code delay}) and
 * returns at once, so that a slow endpoint never holds a scheduler thread. The daemon wires it to
 * the prober; the prober bounds how many probes run at once.
 */
@FunctionalInterface
public interface ProbeDispatcher {
  void dispatch(String endpointId, Duration delay);

  /**
   * As {@link #dispatch(String, Duration)}, for the probe the schedule wanted at {@code due} (the
   * delay is zero when that has passed): a dispatcher that records results keeps the due time.
   */
  default void dispatch(String endpointId, Duration delay, java.time.Instant due) {
    dispatch(endpointId, delay);
  }
}
