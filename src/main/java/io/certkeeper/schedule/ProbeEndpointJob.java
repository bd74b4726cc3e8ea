package io.certkeeper.schedule;

import java.time.Duration;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Fires an endpoint's probe: hands it to the {@link ProbeDispatcher} and returns. Never throws. */
public final class ProbeEndpointJob implements Job {
  static final String ENDPOINT_ID = "endpointId";
  static final String DELAY_MS = "delayMs";

  private static final Logger log = LoggerFactory.getLogger(ProbeEndpointJob.class);

  @Override
  public void execute(JobExecutionContext context) {
    String id = context.getMergedJobDataMap().getString(ENDPOINT_ID);
    try {
      long delay = context.getMergedJobDataMap().containsKey(DELAY_MS)
          ? context.getMergedJobDataMap().getLong(DELAY_MS) : 0L;
      Services services = (Services) context.getScheduler().getContext().get(Services.CONTEXT_KEY);
      if (services.stopping().getAsBoolean()) {
        return;
      }
      services.probes().dispatch(id, Duration.ofMillis(delay));
    } catch (Exception | LinkageError e) {
      log.error("{} - cannot start probe: {}", id, e.toString());
    }
  }
}
