package io.certkeeper.schedule;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;

/**
 * The schedule for the CLI (no scheduler runs): the periodic jobs with their next fire times from
 * the job store, and each endpoint's next probe from its {@link ProbeCalendar}.
 */
public final class JobListing {
  private JobListing() {}

  /**
   * @param local this node's own timed work ({@link RenewalCheckTimes#row}), listed with the rest
   */
  public static List<ScheduledJob> list(Scheduler scheduler, ProbeCalendar endpoints, Instant now,
      List<ScheduledJob> local) throws SchedulerException {
    List<ScheduledJob> out = new ArrayList<>(local);
    for (TriggerKey k : scheduler.getTriggerKeys(GroupMatcher.triggerGroupEquals(EndpointScheduler.PERIODIC_GROUP))) {
      Trigger t = scheduler.getTrigger(k);
      if (t == null) {
        continue;
      }
      out.add(new ScheduledJob(EndpointScheduler.PERIODIC_GROUP, k.getName(),
          t.getJobDataMap().getString(EndpointScheduler.SCHEDULE),
          t.getNextFireTime() == null ? null : t.getNextFireTime().toInstant(),
          t.getPreviousFireTime() == null ? null : t.getPreviousFireTime().toInstant(),
          scheduler.getTriggerState(k).name().toLowerCase(Locale.ROOT)));
    }
    for (Map.Entry<String, io.certkeeper.config.ProbeSchedule> e : endpoints.schedules().entrySet()) {
      out.add(new ScheduledJob("probe", e.getKey(), e.getValue().toString(),
          endpoints.next(e.getKey(), now).orElse(null), null, "normal"));
    }
    out.sort(Comparator.comparing(ScheduledJob::nextRun, Comparator.nullsLast(Comparator.naturalOrder()))
        .thenComparing(ScheduledJob::name));
    return out;
  }
}
