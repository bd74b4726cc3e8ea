package io.certkeeper.schedule;

import java.time.Instant;
import java.util.Optional;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires one probe slot: the window from the trigger's scheduled fire time to one
 * {@link EndpointScheduler#SLOT} later, widened back to where the coverage ended (a firing skipped
 * by a pause, a misfire or a dead node loses no probe; {@link EndpointScheduler#slot} paces what a
 * long gap held). The coverage is a row in the store ({@link SlotCoverage}), shared by the nodes of
 * a fleet: the firing claims its window by moving the coverage forward before it dispatches, and a
 * firing that finds the coverage moved by another node reads it again (at most
 * {@link #CLAIM_ATTEMPTS} times) and dispatches only what is left. Never throws.
 *
 * <p>Not {@code @DisallowConcurrentExecution}: the claim already keeps two firings from
 * dispatching one window, and that annotation would leave the trigger blocked after a
 * {@code kill -9} until Quartz's cluster recovery noticed the dead instance. For the same reason the
 * job asks for no recovery: the window a killed node claimed but had not probed yet (at most one
 * slot) is probed again at the next due times, and the start-up catch-up covers a host that was
 * down.
 */
public final class ProbeSlotJob implements Job {
  /** The job-data key of the slot's partition ({@link EndpointScheduler#partition}). */
  static final String PARTITION = "partition";

  /** Claims lost to other nodes before a firing gives up (each loss means another node dispatched). */
  static final int CLAIM_ATTEMPTS = 3;

  private static final Logger log = LoggerFactory.getLogger(ProbeSlotJob.class);

  @Override
  public void execute(JobExecutionContext context) {
    try {
      Services services = (Services) context.getScheduler().getContext().get(Services.CONTEXT_KEY);
      if (services.stopping().getAsBoolean()) {
        return;
      }
      Instant fire = context.getScheduledFireTime().toInstant();
      org.quartz.JobDataMap data = context.getJobDetail().getJobDataMap();
      if (!data.containsKey(PARTITION)) {
        // the single slot job of an earlier version, put back by a node of that version: this
        // version's start removes it; its firings here dispatch nothing
        log.debug("probe slot {} - no partition (a job of an earlier version); nothing to do",
            context.getJobDetail().getKey().getName());
        return;
      }
      int partition = data.getInt(PARTITION);
      SlotCoverage coverage = services.coverage();
      for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
        Optional<Instant> covered = coverage.coveredUntil(partition);
        Instant[] w = window(fire, covered.orElse(null));
        if (!w[0].isBefore(w[1])) {
          return; // covered already (another node's firing reached past this one)
        }
        if (coverage.advance(partition, covered, w[1])) {
          int n = services.slots().run(partition, w[0], w[1]);
          log.debug("probe slot {} of partition {} .. {}: {} probes", w[0], partition, w[1], n);
          return;
        }
      }
      log.debug("probe slot at {} - other nodes claimed it {} times; they dispatch it", fire, CLAIM_ATTEMPTS);
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
