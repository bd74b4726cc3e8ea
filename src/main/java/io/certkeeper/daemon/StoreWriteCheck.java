package io.certkeeper.daemon;

import io.certkeeper.store.DaemonRunRepository;
import io.certkeeper.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proves every {@link #EVERY} that the store still takes writes (it writes the run's heartbeat).
 * A full disk or a failing database is otherwise only seen by the job that meets it; this makes it
 * part of readiness, and readiness comes back by itself with the first write that succeeds.
 */
final class StoreWriteCheck implements Runnable {
  static final Duration EVERY = Duration.ofSeconds(5);
  private static final Logger log = LoggerFactory.getLogger(StoreWriteCheck.class);

  private final DaemonRunRepository runs;
  private final long runId;
  private final Clock clock;
  /** Why the last write failed; null while writes succeed. */
  private volatile String problem;

  StoreWriteCheck(DaemonRunRepository runs, long runId, Clock clock) {
    this.runs = Objects.requireNonNull(runs, "runs");
    this.runId = runId;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void run() {
    try {
      runs.heartbeat(runId, clock.instant());
      if (problem != null) {
        log.info("store - writable again; ready");
      }
      problem = null;
    } catch (StoreException | RuntimeException e) {
      if (problem == null) {
        log.error("store - not writable, not ready until it is: {}", e.getMessage());
      }
      problem = String.valueOf(e.getMessage());
    }
  }

  /** The last write's failure, or empty when it succeeded. */
  Optional<String> problem() {
    return Optional.ofNullable(problem);
  }
}
