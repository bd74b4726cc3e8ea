package io.certkeeper.cli;

import io.certkeeper.config.CertificateConfig;
import io.certkeeper.config.Config;
import io.certkeeper.renew.Explanation;
import io.certkeeper.renew.ManagedView;
import io.certkeeper.store.Store;
import io.certkeeper.util.Durations;
import io.certkeeper.util.HumanTime;
import io.certkeeper.util.Json;
import io.certkeeper.util.Printable;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    description = "Print when and why the managed certificate NAME will renew: policy, window, jitter, backoff.")
final class ExplainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "NAME", description = "The managed certificate's name.")
  String name;

  @Option(names = "--json", description = "Print the explanation as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    CertkeeperCommand root = CertkeeperCommand.of(spec);
    Config config = root.config();
    CertificateConfig c = config.certificate(name).orElseThrow(() -> CliException.usage(config.whyNoCertificate(name)));
    Instant now = root.clock().instant();
    Explanation e;
    try (Store store = root.openStore()) {
      e = ManagedView.of(store, config.nodeName()).explain(c, now);
    }
    PrintWriter out = root.out();
    if (json) {
      out.println(Json.pretty(e));
      return ExitCodes.OK;
    }
    out.printf("%s: %s%n", e.name(), e.state());
    out.printf("issuer:        %s%n", e.issuer());
    out.printf("policy:        %s%n", e.policy());
    if (e.serial() == null) {
      out.println("no certificate yet: the daemon issues it at start, or run 'certkeeper renew " + name + "'");
      if (e.consecutiveFailures() > 0) {
        out.printf("failures:      %d in a row; next order at %s%n", e.consecutiveFailures(),
            HumanTime.instant(e.nextAttemptAt()));
        out.printf("last error:    %s%n", Printable.line(e.lastError()));
      }
      return ExitCodes.OK;
    }
    out.printf("current:       serial %s (generation %d), valid %s .. %s%n", e.serial(), e.generation(),
        HumanTime.instant(e.notBefore()), HumanTime.instant(e.notAfter()));
    if (e.renewalInfo() != null) {
      Explanation.RenewalInfo ri = e.renewalInfo();
      out.printf("ACME window:   %s .. %s (suggested by the server; asked again at %s)%n",
          HumanTime.instant(ri.windowStart()), HumanTime.instant(ri.windowEnd()), HumanTime.instant(ri.nextFetch()));
      if (ri.explanation() != null) {
        out.printf("why:           %s%n", Printable.line(ri.explanation()));
      }
    } else {
      out.printf("window starts: %s%n", HumanTime.instant(e.windowStart()));
      out.printf("jitter:        %s (fixed for this name)%n", HumanTime.duration(Durations.parse(e.jitter())));
    }
    out.printf("renews at:     %s%s%n", HumanTime.instant(e.renewAt()),
        e.state().equals("due") ? " (due: at the next check)" : "");
    out.printf("overdue from:  %s%s%n", HumanTime.instant(e.overdueAt()),
        e.state().equals(Explanation.OVERDUE) ? " (overdue now: alerted as renewal_overdue)" : "");
    if (e.consecutiveFailures() > 0 || e.nextAttemptAt() != null) {
      out.printf("failures:      %d in a row; next attempt at %s%n", e.consecutiveFailures(),
          HumanTime.instant(e.nextAttemptAt()));
      out.printf("last error:    %s%n", Printable.line(e.lastError()));
    }
    if (e.lastHookError() != null) {
      out.printf("last hook error: %s%n", Printable.line(e.lastHookError()));
    }
    return ExitCodes.OK;
  }
}
