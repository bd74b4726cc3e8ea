package io.certkeeper.schedule;

import io.certkeeper.util.Jitter;
import java.time.Duration;
import java.time.Instant;

/**
 * When a node checks its managed certificates: every {@code scheduler.renewal-check}, at a phase
 * of its own derived from the node's name. The check is the node's own work (its configuration,
 * its files, its hooks), so it runs on the node's own timer, not as a job of the shared scheduler,
 * which would run it on whichever node acquired the trigger, with that node's configuration.
 * The daemon and {@code certkeeper schedule} compute the same times.
 */
public final class RenewalCheckTimes {
  /** The name the check goes by in {@code schedule} (and the shared job of earlier versions). */
  public static final String NAME = "renewal-check";

  private RenewalCheckTimes() {}

  /** The first check of {@code node} at or after {@code now}. */
  public static Instant next(String node, Duration every, Instant now) {
    return Jitter.nextSlot(NAME + "@" + node, every, now);
  }

  /** The row {@code certkeeper schedule} shows for it. */
  public static ScheduledJob row(String node, Duration every, Instant now) {
    return new ScheduledJob("periodic", NAME, "every " + io.certkeeper.util.Durations.format(every) + " on node " + node,
        next(node, every, now), null, "normal");
  }
}
