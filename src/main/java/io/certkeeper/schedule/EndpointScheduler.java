package io.certkeeper.schedule;

import io.certkeeper.config.EndpointConfig;
import io.certkeeper.config.ProbeSchedule;
import io.certkeeper.util.Jitter;
import io.certkeeper.x509.Fingerprints;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TimeZone;
import org.quartz.CronExpression;
import org.quartz.CronScheduleBuilder;
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
 * Keeps one Quartz job and trigger per endpoint in step with the endpoint list. Jobs live in the
 * database, keyed by a hash of the endpoint id, so restarts and kills never duplicate them; a
 * trigger whose schedule did not change is left alone, so its next fire time survives restarts.
 *
 * <p>Missed firings are not replayed one by one (Quartz is told to skip them); instead, after a
 * start, {@link #catchUp} probes each endpoint whose last probe is older than its schedule once,
 * spread over the first minute by the endpoint's jitter.
 */
public final class EndpointScheduler {
  /** The group of the endpoints' probe jobs and triggers. */
  public static final String PROBE_GROUP = "probe";
  static final String SCHEDULE = "schedule";
  /** Catch-up probes after a start are spread over at most this window. */
  static final Duration CATCH_UP_WINDOW = Duration.ofMinutes(1);
  /** Cron-scheduled endpoints are spread over at most this much after each firing. */
  static final Duration CRON_SPREAD = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(EndpointScheduler.class);

  private final Scheduler scheduler;
  private final Clock clock;

  public EndpointScheduler(Scheduler scheduler, Clock clock) {
    this.scheduler = scheduler;
    this.clock = clock;
  }

  /** What {@link #sync} did. */
  public record Result(int added, int rescheduled, int removed, int unchanged) {}

  /** Makes the probe jobs equal {@code endpoints}. */
  public Result sync(Collection<EndpointConfig> endpoints) throws SchedulerException {
    Map<JobKey, EndpointConfig> wanted = new HashMap<>();
    for (EndpointConfig e : endpoints) {
      wanted.put(jobKey(e.id()), e);
    }
    Set<JobKey> existing = new HashSet<>(scheduler.getJobKeys(GroupMatcher.jobGroupEquals(PROBE_GROUP)));
    int added = 0;
    int rescheduled = 0;
    int unchanged = 0;
    int removed = 0;
    Instant now = clock.instant();
    for (Map.Entry<JobKey, EndpointConfig> w : wanted.entrySet()) {
      EndpointConfig e = w.getValue();
      String signature = e.schedule().toString();
      if (existing.contains(w.getKey())) {
        Trigger t = scheduler.getTrigger(triggerKey(e.id()));
        if (t != null && signature.equals(t.getJobDataMap().getString(SCHEDULE))) {
          unchanged++;
          continue;
        }
        // Quartz cannot replace a trigger by one of another type in place: delete, then add.
        scheduler.deleteJob(w.getKey());
        rescheduled++;
      } else {
        added++;
      }
      JobDetail job = JobBuilder.newJob(ProbeEndpointJob.class)
          .withIdentity(w.getKey())
          .usingJobData(ProbeEndpointJob.ENDPOINT_ID, e.id())
          .storeDurably()
          .build();
      scheduler.scheduleJob(job, Set.of(trigger(e, now)), true);
    }
    for (JobKey k : existing) {
      if (!wanted.containsKey(k)) {
        scheduler.deleteJob(k);
        removed++;
      }
    }
    Result r = new Result(added, rescheduled, removed, unchanged);
    log.debug("probe schedules synced: {}", r);
    return r;
  }

  private Trigger trigger(EndpointConfig e, Instant now) {
    ProbeSchedule s = e.schedule();
    TriggerBuilder<Trigger> b = TriggerBuilder.newTrigger()
        .withIdentity(triggerKey(e.id()))
        .usingJobData(SCHEDULE, s.toString());
    if (s.every().isPresent()) {
      Duration every = s.every().get();
      Instant first = Jitter.nextSlot(e.id(), every, now);
      return b.startAt(Date.from(first))
          .withSchedule(SimpleScheduleBuilder.simpleSchedule()
              .withIntervalInMilliseconds(every.toMillis())
              .repeatForever()
              .withMisfireHandlingInstructionNextWithRemainingCount())
          .build();
    }
    Duration spread = Jitter.offset(e.id(), CRON_SPREAD);
    return b.usingJobData(ProbeEndpointJob.DELAY_MS, spread.toMillis())
        .withSchedule(CronScheduleBuilder.cronSchedule(s.cron().get())
            .inTimeZone(TimeZone.getTimeZone("UTC"))
            .withMisfireHandlingInstructionDoNothing())
        .startAt(Date.from(now))
        .build();
  }

  /**
   * After a start: for each endpoint whose last probe is older than its schedule says (or that was
   * never probed), dispatches one probe, spread over {@link #CATCH_UP_WINDOW} by jitter.
   *
   * @param lastProbe the last probe time of each endpoint id that was ever probed
   * @return how many endpoints were caught up
   */
  public int catchUp(Collection<EndpointConfig> endpoints, Map<String, Instant> lastProbe, ProbeDispatcher dispatcher) {
    Instant now = clock.instant();
    int n = 0;
    for (EndpointConfig e : endpoints) {
      Optional<Instant> last = Optional.ofNullable(lastProbe.get(e.id()));
      if (isOverdue(e.schedule(), last, now)) {
        Duration window = e.schedule().every().map(d -> d.compareTo(CATCH_UP_WINDOW) < 0 ? d : CATCH_UP_WINDOW)
            .orElse(CATCH_UP_WINDOW);
        dispatcher.dispatch(e.id(), Jitter.offset(e.id(), window));
        n++;
      }
    }
    return n;
  }

  /** Whether an endpoint last probed at {@code last} has missed a scheduled probe by {@code now}. */
  static boolean isOverdue(ProbeSchedule s, Optional<Instant> last, Instant now) {
    if (last.isEmpty()) {
      return true;
    }
    if (s.every().isPresent()) {
      return Duration.between(last.get(), now).compareTo(s.every().get()) > 0;
    }
    try {
      CronExpression cron = new CronExpression(s.cron().get());
      cron.setTimeZone(TimeZone.getTimeZone("UTC"));
      Date next = cron.getNextValidTimeAfter(Date.from(last.get()));
      return next != null && !next.toInstant().isAfter(now.minus(CRON_SPREAD));
    } catch (java.text.ParseException ex) {
      return false;
    }
  }

  /** Next fire time of an endpoint's probe, if scheduled. */
  public Optional<Instant> nextRun(String endpointId) throws SchedulerException {
    Trigger t = scheduler.getTrigger(triggerKey(endpointId));
    return t == null || t.getNextFireTime() == null ? Optional.empty() : Optional.of(t.getNextFireTime().toInstant());
  }

  /** The number of probe jobs and of probe triggers in the job store. */
  public int[] counts() throws SchedulerException {
    return new int[] {
      scheduler.getJobKeys(GroupMatcher.jobGroupEquals(PROBE_GROUP)).size(),
      scheduler.getTriggerKeys(GroupMatcher.triggerGroupEquals(PROBE_GROUP)).size()
    };
  }

  static JobKey jobKey(String endpointId) {
    return new JobKey(name(endpointId), PROBE_GROUP);
  }

  static TriggerKey triggerKey(String endpointId) {
    return new TriggerKey(name(endpointId), PROBE_GROUP);
  }

  /** The name of {@code endpointId}'s probe trigger (and job) in {@link #PROBE_GROUP}. */
  public static String triggerName(String endpointId) {
    return name(endpointId);
  }

  /** Quartz names are at most 200 characters; ids may be longer, so the key is a hash. */
  static String name(String endpointId) {
    return Fingerprints.sha256(endpointId.getBytes(StandardCharsets.UTF_8)).substring(0, 40);
  }

  /** Registers (or keeps) the periodic jobs: housekeeping hourly, renewal check, alert evaluation. */
  public void schedulePeriodic(Duration housekeeping, Duration renewalCheck, Duration alertEvaluation)
      throws SchedulerException {
    for (Object[] p : List.of(
        new Object[] {PeriodicJob.HOUSEKEEPING, housekeeping},
        new Object[] {PeriodicJob.RENEWAL_CHECK, renewalCheck},
        new Object[] {PeriodicJob.ALERT_EVALUATION, alertEvaluation})) {
      String name = (String) p[0];
      Duration every = (Duration) p[1];
      String signature = "every " + io.certkeeper.util.Durations.format(every);
      TriggerKey tk = new TriggerKey(name, "periodic");
      Trigger existing = scheduler.getTrigger(tk);
      if (existing != null && signature.equals(existing.getJobDataMap().getString(SCHEDULE))) {
        continue;
      }
      scheduler.deleteJob(new JobKey(name, "periodic"));
      JobDetail job = JobBuilder.newJob(PeriodicJob.class).withIdentity(name, "periodic").storeDurably().build();
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
