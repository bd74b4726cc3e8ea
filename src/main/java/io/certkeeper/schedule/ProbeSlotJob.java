package io.certkeeper.schedule;

import java.time.Instant;
import org.quartz.Job;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;
import org.quartz.PersistJobDataAfterExecution;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires one probe slot: the window from the trigger's scheduled fire time to one
 * {@link EndpointScheduler#SLOT} later, widened back to where the last firing's window ended (a
 * firing skipped by a pause or a misfire loses no probe; {@link EndpointScheduler#slot} paces what
 * a long gap held). Where coverage ended is kept in the job's data, in the job store, so
 * it survives restarts and holds across a cluster. Never throws.
 *
 * <p>Not {@code @DisallowConcurrentExecution}: a firing hands its probes over in milliseconds, so
 * two never overlap in practice, and that annotation would leave the trigger blocked after a
 * {@code kill -9} until Quartz's cluster recovery noticed the dead instance (about 20 s without a
 * probe). For the same reason the job asks for no recovery: the start-up catch-up covers what a
 * killed daemon did not dispatch.
 */
@PersistJobDataAfterExecution
public final class ProbeSlotJob implements Job {
  /** Epoch milliseconds up to which slots have been dispatched. */
  static final String COVERED_UNTIL = "coveredUntil";

  private static final Logger log = LoggerFactory.getLogger(ProbeSlotJob.class);

  @Override
  public void execute(JobExecutionContext context) {
    try {
      Services services = (Services) context.getScheduler().getContext().get(Services.CONTEXT_KEY);
      if (services.stopping().getAsBoolean()) {
        return;
      }
      JobDataMap data = context.getJobDetail().getJobDataMap();
      Instant[] w = window(context.getScheduledFireTime().toInstant(),
          data.containsKey(COVERED_UNTIL) ? Instant.ofEpochMilli(data.getLong(COVERED_UNTIL)) : null);
      if (w[0].isBefore(w[1])) {
        int n = services.slots().run(w[0], w[1]);
        log.debug("probe slot {} .. {}: {} probes", w[0], w[1], n);
      }
      long covered = data.containsKey(COVERED_UNTIL) ? data.getLong(COVERED_UNTIL) : 0L;
      data.put(COVERED_UNTIL, Math.max(covered, w[1].toEpochMilli()));
    } catch (Exception | LinkageError e) {
      log.error("probe slot - cannot dispatch: {}", e.toString());
    }
  }

  /**
   * The window {@code [from, to)} of a firing scheduled at {@code fire}, given the coverage so far:
   * from where the coverage ended (at most {@link EndpointScheduler#MAX_STALL} back), or from the
   * fire time when nothing is known.
   */
  static Instant[] window(Instant fire, Instant coveredUntil) {
    Instant from = fire;
    Instant to = fire.plus(EndpointScheduler.SLOT);
    if (coveredUntil != null) {
      if (coveredUntil.isBefore(from)) {
        Instant oldest = from.minus(EndpointScheduler.MAX_STALL);
        from = coveredUntil.isBefore(oldest) ? oldest : coveredUntil;
      } else if (coveredUntil.isAfter(from)) {
        from = coveredUntil.isAfter(to) ? to : coveredUntil;
      }
    }
    return new Instant[] {from, to};
  }
}
