package io.certkeeper.schedule;

import io.certkeeper.config.EndpointConfig;
import io.certkeeper.config.ProbeSchedule;
import io.certkeeper.util.Jitter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches endpoint probes in time slots. The endpoints are split into {@link #PARTITIONS}
 * partitions by id; Quartz keeps one durable trigger per partition ({@link #slotJob(int)}), each
 * firing every {@link #SLOT}, their phases spread over the slot. Each firing asks the
 * {@link ProbeCalendar} which endpoints of its partition are due in its slot and hands each to the
 * {@link ProbeDispatcher} with a delay to its exact due time. The calendar is computed from the
 * endpoint list, not stored: a probe costs no job-store write. In a fleet each firing (and so its
 * probes) belongs to the one node that acquired it and claimed its window ({@link SlotCoverage});
 * a node waits for the trigger it acquired, so the other nodes acquire the next partitions' and the
 * slots spread over the live nodes (one trigger alone would stay with whichever node fired it last).
 *
 * <p>Missed slots are not replayed one by one. A slot that fires late still covers its own window
 * (its scheduled fire time onwards), and a gap of up to {@link #MAX_GAP} since the last covered
 * slot is filled by the next firing; after a longer stop, {@link #catchUp} probes each endpoint that
 * missed a due time once, paced so that it never adds more than a set rate of probes per second on
 * top of the regular ones, and skipping endpoints whose regular probe comes first.
 */
public final class EndpointScheduler {
  /** The group of the per-endpoint jobs of earlier versions, removed on sync. */
  static final String LEGACY_PROBE_GROUP = "probe";
  static final String PERIODIC_GROUP = "periodic";
  static final String SCHEDULE = "schedule";
  /** The probe-slot jobs' name, before their partition; the one job of earlier versions. */
  public static final String SLOT_JOB = "probe-slots";
  /** Partitions of the endpoints, each with a slot job of its own. */
  public static final int PARTITIONS = ProbeCalendar.PARTITIONS;
  /** The length of one slot: one firing of the slot job. */
  public static final Duration SLOT = Duration.ofSeconds(5);
  /** A gap of up to this much before a slot is dispatched with the slot, each probe at its time. */
  public static final Duration MAX_GAP = Duration.ofMinutes(1);
  /**
   * A longer gap (the machine paused, the store stalled) is caught up like a start: each endpoint
   * due in it once, paced; gaps beyond this much are the start-up catch-up's.
   */
  static final Duration MAX_STALL = Duration.ofDays(1);
  /** Catch-up probes after a start are spread over at least this window. */
  static final Duration CATCH_UP_WINDOW = Duration.ofMinutes(1);

  private static final Logger log = LoggerFactory.getLogger(EndpointScheduler.class);

  private final Scheduler scheduler;
  private final Clock clock;
  private volatile ProbeCalendar calendar = ProbeCalendar.empty();
  /** Where the slots of this run started covering (set by {@link #restartSlots}). */
  private volatile Instant slotsFrom;
  private volatile int catchUpRate = io.certkeeper.config.SchedulerConfig.DEFAULT_CATCH_UP_RATE;

  public EndpointScheduler(Scheduler scheduler, Clock clock) {
    this.scheduler = scheduler;
    this.clock = clock;
  }

  /** What {@link #sync} changed, against the previous endpoint list. */
  public record Result(int added, int rescheduled, int removed, int unchanged) {}

  /**
   * Makes the probe schedule equal {@code endpoints}, and the slot job exist. Removes the
   * per-endpoint jobs that earlier versions kept in the job store.
   */
  public Result sync(Collection<EndpointConfig> endpoints) throws SchedulerException {
    Result r = replan(endpoints);
    removeLegacyJobs();
    ensureSlotJob();
    log.debug("probe schedules synced: {}", r);
    return r;
  }

  /** Puts a calendar of {@code endpoints} in force; the job store is not touched. */
  Result replan(Collection<EndpointConfig> endpoints) {
    ProbeCalendar next = ProbeCalendar.of(endpoints);
    Map<String, ProbeSchedule> before = calendar.schedules();
    Map<String, ProbeSchedule> after = next.schedules();
    int added = 0;
    int rescheduled = 0;
    int unchanged = 0;
    for (Map.Entry<String, ProbeSchedule> e : after.entrySet()) {
      ProbeSchedule old = before.get(e.getKey());
      if (old == null) {
        added++;
      } else if (old.equals(e.getValue())) {
        unchanged++;
      } else {
        rescheduled++;
      }
    }
    int removed = (int) before.keySet().stream().filter(id -> !after.containsKey(id)).count();
    calendar = next;
    return new Result(added, rescheduled, removed, unchanged);
  }

  /** The calendar in force. */
  public ProbeCalendar calendar() {
    return calendar;
  }

  private void removeLegacyJobs() throws SchedulerException {
    List<JobKey> legacy = new ArrayList<>(scheduler.getJobKeys(GroupMatcher.jobGroupEquals(LEGACY_PROBE_GROUP)));
    if (!legacy.isEmpty()) {
      scheduler.deleteJobs(legacy);
      log.info("schedules - removed {} per-endpoint probe jobs of an earlier version (probes now run in {} slots)",
          legacy.size(), io.certkeeper.util.Durations.format(SLOT));
    }
  }

  /**
   * Creates the slot job unless a live one exists. A trigger whose next firing is more than a slot
   * in the past fired nowhere (no daemon ran): it is replaced by one starting now, whose coverage
   * starts now too ({@link #catchUp} covers the time before).
   */
  private void ensureSlotJob() throws SchedulerException {
    slotJob(false);
  }

  /**
   * Replaces the slot job by one that fires now, whatever state the old one was in: for a start,
   * before the scheduler runs. A daemon killed with {@code kill -9} may have left the trigger
   * acquired in its name, which Quartz hands back only when its cluster recovery notices the dead
   * instance. {@code coveredFrom} is where the shared coverage stands after this node's start
   * ({@link StoredSlotCoverage#restart}): now when no node was dispatching, and the start's
   * {@link #catchUp} covers the time before it. {@code othersLive}: other nodes are running (their
   * heartbeats are fresh), so what came due in the last {@link #IN_FLIGHT} is theirs.
   */
  public void restartSlots(Instant coveredFrom, boolean othersLive) throws SchedulerException {
    slotJob(true);
    Instant now = clock.instant();
    Instant from = coveredFrom.isAfter(now) ? now : coveredFrom;
    // with other nodes dispatching, the start-up catch-up leaves alone what was due lately: one of
    // them may have dispatched it and not stored its result yet
    slotsFrom = othersLive ? from.minus(IN_FLIGHT) : from;
  }

  /** How long a probe another node dispatched may take to show up as a result: a slot and a probe's timeout. */
  static final Duration IN_FLIGHT = SLOT.plus(io.certkeeper.config.EndpointConfig.DEFAULT_TIMEOUT);

  /** At most this many probes a second for endpoints that missed a due time (a start, a stall). */
  public void catchUpRate(int perSecond) {
    this.catchUpRate = perSecond;
  }

  /** The slot job (and trigger) of partition {@code k}. */
  public static String slotJob(int k) {
    return SLOT_JOB + "-" + k;
  }

  /** The partition of endpoint {@code id} ({@link ProbeCalendar#partition}). */
  public static int partition(String id) {
    return ProbeCalendar.partition(id);
  }

  /** Creates the slot jobs, or replaces them when asked. */
  private void slotJob(boolean replace) throws SchedulerException {
    String signature = "every " + io.certkeeper.util.Durations.format(SLOT) + " in " + PARTITIONS;
    Instant now = clock.instant();
    // the single slot job of earlier versions; deleteJobs takes Quartz's lock once, so nodes
    // starting at once do not trip over each other (deleteJob unschedules trigger by trigger)
    scheduler.deleteJobs(List.of(new JobKey(SLOT_JOB, PERIODIC_GROUP)));
    for (int k = 0; k < PARTITIONS; k++) {
      TriggerKey tk = new TriggerKey(slotJob(k), PERIODIC_GROUP);
      Trigger existing = scheduler.getTrigger(tk);
      if (!replace && existing != null && signature.equals(existing.getJobDataMap().getString(SCHEDULE))) {
        continue; // a live trigger, however far behind: its firings cover the backlog
      }
      // replaced in one transaction under Quartz's lock (scheduleJob with replace), never deleted
      // first, for the same reason
      JobDetail job = JobBuilder.newJob(ProbeSlotJob.class)
          .withIdentity(slotJob(k), PERIODIC_GROUP)
          .usingJobData(ProbeSlotJob.PARTITION, k)
          .storeDurably()
          .build();
      Trigger t = TriggerBuilder.newTrigger().withIdentity(tk)
          .usingJobData(SCHEDULE, signature)
          .startAt(Date.from(now.plus(SLOT.multipliedBy(k).dividedBy(PARTITIONS))))
          .withSchedule(SimpleScheduleBuilder.simpleSchedule()
              .withIntervalInMilliseconds(SLOT.toMillis())
              .repeatForever()
              .withMisfireHandlingInstructionNextWithRemainingCount())
          .build();
      scheduler.scheduleJob(job, Set.of(t), true);
    }
  }

  /**
   * One slot: dispatches every probe due in {@code [from, to)}, each delayed to its due time (at
   * once when that has passed). When the window reaches back more than {@link #MAX_GAP} before the
   * slot (no slot fired for a while), the older part is caught up instead: each endpoint due in it
   * once, paced, unless its regular probe comes first.
   *
   * @param partition whose endpoints ({@link #partition})
   * @return how many probes were dispatched
   */
  public int slot(int partition, Instant from, Instant to, ProbeDispatcher dispatcher) {
    Instant recent = to.minus(SLOT).minus(MAX_GAP);
    int n = 0;
    if (from.isBefore(recent)) {
      java.util.Set<String> missed = new java.util.LinkedHashSet<>();
      for (ProbeCalendar.Due d : calendar.due(partition, from, recent)) {
        missed.add(d.endpointId());
      }
      // each partition paces its own share, so that all of them together keep to the rate
      int rate = Math.max(1, catchUpRate / PARTITIONS);
      log.warn("probe slots - none fired for partition {} from {} to {} (a pause or an overloaded machine); its {}"
          + " endpoints due then are probed once, at most {} a second", partition, from, recent, missed.size(), rate);
      n += paced(new ArrayList<>(missed), recent, dispatcher, rate);
      from = recent;
    }
    Instant now = clock.instant();
    for (ProbeCalendar.Due d : calendar.due(partition, from, to)) {
      Duration delay = Duration.between(now, d.at());
      dispatcher.dispatch(d.endpointId(), delay.isNegative() ? Duration.ZERO : delay, d.at());
      n++;
    }
    return n;
  }

  /**
   * After a start: dispatches one probe for each endpoint that missed a due time (or was never
   * probed), most overdue first, at most {@code perSecond} of them per second and spread over at
   * least {@link #CATCH_UP_WINDOW}; an endpoint whose regular probe comes before its turn is left
   * to that probe.
   *
   * @param lastProbe the last probe time of each endpoint id that was ever probed
   * @return how many endpoints were caught up
   */
  public int catchUp(Map<String, Instant> lastProbe, ProbeDispatcher dispatcher, int perSecond) {
    ProbeCalendar cal = calendar;
    // what is due from where the slots of this run began is theirs
    Instant from = slotsFrom != null ? slotsFrom : clock.instant();
    List<String> overdue = new ArrayList<>();
    for (String id : cal.schedules().keySet()) {
      if (cal.missed(id, Optional.ofNullable(lastProbe.get(id)), from)) {
        overdue.add(id);
      }
    }
    overdue.sort(Comparator.comparing((String id) -> lastProbe.getOrDefault(id, Instant.MIN)).thenComparing(id -> id));
    return paced(overdue, from, dispatcher, perSecond);
  }

  /**
   * Dispatches one probe for each of {@code ids} in order, at most {@code perSecond} a second and
   * spread over at least {@link #CATCH_UP_WINDOW}; an endpoint whose regular probe (the first due
   * at or after {@code from}) comes before its turn is left to it.
   */
  private int paced(List<String> ids, Instant from, ProbeDispatcher dispatcher, int perSecond) {
    if (ids.isEmpty()) {
      return 0;
    }
    ProbeCalendar cal = calendar;
    Instant now = clock.instant();
    long stepNanos = Math.max(1_000_000_000L / Math.max(1, perSecond), CATCH_UP_WINDOW.toNanos() / ids.size());
    int n = 0;
    for (String id : ids) {
      Duration delay = Duration.ofNanos(stepNanos * n);
      Optional<Instant> regular = cal.next(id, from);
      if (regular.isPresent() && !regular.get().isAfter(now.plus(delay))) {
        continue;
      }
      dispatcher.dispatch(id, delay);
      n++;
    }
    return n;
  }

  /** The next due time of an endpoint's probe, if it is scheduled. */
  public Optional<Instant> nextRun(String endpointId) {
    return calendar.next(endpointId, clock.instant());
  }

  /**
   * Registers (or keeps) the fleet-wide periodic jobs: housekeeping hourly, alert evaluation. The
   * shared renewal-check job of earlier versions is removed: each node checks its own managed
   * certificates on its own timer ({@link RenewalCheckTimes}).
   */
  public void schedulePeriodic(Duration housekeeping, Duration alertEvaluation) throws SchedulerException {
    scheduler.deleteJobs(List.of(new JobKey(RenewalCheckTimes.NAME, PERIODIC_GROUP)));
    for (Object[] p : List.of(
        new Object[] {PeriodicJob.HOUSEKEEPING, housekeeping},
        new Object[] {PeriodicJob.ALERT_EVALUATION, alertEvaluation})) {
      String name = (String) p[0];
      Duration every = (Duration) p[1];
      String signature = "every " + io.certkeeper.util.Durations.format(every);
      TriggerKey tk = new TriggerKey(name, PERIODIC_GROUP);
      Trigger existing = scheduler.getTrigger(tk);
      if (existing != null && signature.equals(existing.getJobDataMap().getString(SCHEDULE))) {
        continue;
      }
      JobDetail job = JobBuilder.newJob(PeriodicJob.class).withIdentity(name, PERIODIC_GROUP).storeDurably().build();
      Trigger t = TriggerBuilder.newTrigger().withIdentity(tk)
          .usingJobData(SCHEDULE, signature)
          .startAt(Date.from(clock.instant().plus(Jitter.offset(name, every))))
          .withSchedule(SimpleScheduleBuilder.simpleSchedule()
              .withIntervalInMilliseconds(every.toMillis())
              .repeatForever()
              .withMisfireHandlingInstructionNextWithRemainingCount())
          .build();
      scheduler.scheduleJob(job, Set.of(t), true);
    }
  }
}
