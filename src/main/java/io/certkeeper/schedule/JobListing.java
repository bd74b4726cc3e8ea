package io.certkeeper.schedule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.quartz.JobDetail;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;

/** Reads the jobs and their next fire times from the job store (for the CLI; no scheduler runs). */
public final class JobListing {
  private JobListing() {}

  public static List<ScheduledJob> list(Scheduler scheduler) throws SchedulerException {
    List<ScheduledJob> out = new ArrayList<>();
    for (String group : List.of(EndpointScheduler.PROBE_GROUP, "periodic")) {
      for (TriggerKey k : scheduler.getTriggerKeys(GroupMatcher.triggerGroupEquals(group))) {
        Trigger t = scheduler.getTrigger(k);
        if (t == null) {
          continue;
        }
        JobDetail job = scheduler.getJobDetail(t.getJobKey());
        String name = job != null && job.getJobDataMap().containsKey(ProbeEndpointJob.ENDPOINT_ID)
            ? job.getJobDataMap().getString(ProbeEndpointJob.ENDPOINT_ID) : k.getName();
        out.add(new ScheduledJob(group, name, t.getJobDataMap().getString(EndpointScheduler.SCHEDULE),
            t.getNextFireTime() == null ? null : t.getNextFireTime().toInstant(),
            t.getPreviousFireTime() == null ? null : t.getPreviousFireTime().toInstant(),
            scheduler.getTriggerState(k).name().toLowerCase(Locale.ROOT)));
      }
    }
    out.sort(Comparator.comparing(ScheduledJob::nextRun, Comparator.nullsLast(Comparator.naturalOrder()))
        .thenComparing(ScheduledJob::name));
    return out;
  }
}
