package io.certkeeper.schedule;

import java.util.Optional;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one of the daemon's fleet-wide periodic services (housekeeping, alert evaluation),
 * named by the job's key. Catches everything so the next trigger fires; never runs twice at once.
 */
@DisallowConcurrentExecution
public final class PeriodicJob implements Job {
  static final String HOUSEKEEPING = "housekeeping";
  static final String ALERT_EVALUATION = "alert-evaluation";

  private static final Logger log = LoggerFactory.getLogger(PeriodicJob.class);

  @Override
  public void execute(JobExecutionContext context) {
    String name = context.getJobDetail().getKey().getName();
    try {
      Services s = (Services) context.getScheduler().getContext().get(Services.CONTEXT_KEY);
      if (s.stopping().getAsBoolean()) {
        log.debug("{} - daemon stopping; not started", name);
        return;
      }
      Optional<Services.Task> task;
      switch (name) {
        case HOUSEKEEPING: task = Optional.of(s.housekeeping()); break;
        case ALERT_EVALUATION: task = s.alertEvaluation(); break;
        default: task = Optional.empty();
      }
      if (task.isEmpty()) {
        log.debug("{} - no service configured; nothing to do", name);
        return;
      }
      task.get().run();
    } catch (Exception | LinkageError e) {
      if (stopping(context)) {
        // the store closes under a job that outlived the stop budget; it runs again at next start
        log.warn("{} - abandoned by the stop: {}", name, e.toString());
      } else {
        log.error("{} - run failed: {}", name, e.toString(), e);
      }
    }
  }

  private static boolean stopping(JobExecutionContext context) {
    try {
      Object s = context.getScheduler().getContext().get(Services.CONTEXT_KEY);
      return s instanceof Services && ((Services) s).stopping().getAsBoolean();
    } catch (org.quartz.SchedulerException e) {
      return true;
    }
  }
}
