package io.certkeeper.cli;

import io.certkeeper.schedule.JobListing;
import io.certkeeper.schedule.StoredEndpoints;
import io.certkeeper.schedule.ScheduledJob;
import io.certkeeper.schedule.Scheduling;
import io.certkeeper.store.Store;
import io.certkeeper.util.Json;
import io.certkeeper.util.Timestamps;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "schedule",
    mixinStandardHelpOptions = true,
    description = "List the scheduled jobs (the probe slots, housekeeping, alert evaluation, this node's renewal check) and each endpoint's next probe.")
final class ScheduleCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print a JSON array of {kind, name, schedule, nextRun, previousRun, state}.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    CertkeeperCommand root = CertkeeperCommand.of(spec);
    List<ScheduledJob> jobs;
    io.certkeeper.config.Config config = root.config();
    java.time.Instant now = root.clock().instant();
    // this node's renewal check runs on its own timer, not in the job store: computed like the daemon does
    List<ScheduledJob> local = config.certificates().isEmpty() ? List.of()
        : List.of(io.certkeeper.schedule.RenewalCheckTimes.row(config.nodeName(), config.scheduler().renewalCheck(),
            now));
    try (Store store = root.openStore()) {
      Scheduling s = Scheduling.create(store, 1);
      try {
        jobs = JobListing.list(s.scheduler(), StoredEndpoints.calendar(store), now, local);
      } finally {
        s.scheduler().shutdown(false);
      }
    }
    PrintWriter out = root.out();
    if (json) {
      out.println(Json.pretty(jobs));
      return ExitCodes.OK;
    }
    if (jobs.isEmpty()) {
      out.println("no jobs scheduled (the daemon schedules them when it starts)");
      return ExitCodes.OK;
    }
    Table t = Table.of("KIND", "NAME", "SCHEDULE", "NEXT RUN", "PREVIOUS RUN", "STATE");
    for (ScheduledJob j : jobs) {
      t.row(j.kind(), j.name(), j.schedule(), Timestamps.format(j.nextRun()), Timestamps.format(j.previousRun()),
          j.state());
    }
    t.print(out);
    return ExitCodes.OK;
  }
}
