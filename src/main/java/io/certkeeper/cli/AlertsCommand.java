package io.certkeeper.cli;

import io.certkeeper.alert.AlertLedger;
import io.certkeeper.alert.LedgerEntry;
import io.certkeeper.store.Store;
import io.certkeeper.util.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "alerts",
    mixinStandardHelpOptions = true,
    description = {
      "List the alert ledger: one line per delivery of an alert to a recipient, newest first.",
      "Works while the daemon runs."
    })
final class AlertsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  static final class Filter {
    @Option(names = "--pending", description = "Only deliveries not yet sent (including ones being sent).")
    boolean pending;

    @Option(names = "--sent", description = "Only deliveries the server accepted.")
    boolean sent;

    @Option(names = "--failed", description = "Only deliveries that failed for good (5xx, bad credentials).")
    boolean failed;
  }

  @ArgGroup(exclusive = true)
  Filter filter;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "200", description = "At most N lines (default 200).")
  int limit;

  @Option(names = "--retry-failed", description = "Queue the failed deliveries again, due now.")
  boolean retryFailed;

  @Option(names = "--json", description = "Print a JSON array (shape documented in README).")
  boolean json;

  @Override
  public Integer call() throws Exception {
    CertkeeperCommand root = CertkeeperCommand.of(spec);
    if (limit < 1) {
      throw CliException.usage("--limit must be at least 1, got " + limit);
    }
    List<String> statuses = new ArrayList<>();
    if (filter != null) {
      if (filter.pending) {
        statuses.add("pending");
      } else if (filter.sent) {
        statuses.add("sent");
      } else if (filter.failed) {
        statuses.add("failed");
      }
    }
    PrintWriter out = root.out();
    try (Store store = root.openStore()) {
      AlertLedger ledger = new AlertLedger(store);
      if (retryFailed) {
        int n = ledger.retryFailed(root.clock().instant());
        out.printf("%d failed deliveries queued again%n", n);
        return ExitCodes.OK;
      }
      List<LedgerEntry> entries = ledger.list(statuses, limit);
      if (json) {
        out.println(Json.pretty(entries));
        return ExitCodes.OK;
      }
      if (entries.isEmpty()) {
        out.println("no alerts");
        return ExitCodes.OK;
      }
      for (LedgerEntry e : entries) {
        String when;
        switch (e.status()) {
          case "sent": when = "sent " + e.sentAt(); break;
          case "failed": when = "failed: " + e.lastError(); break;
          default:
            when = "due " + e.nextAttemptAt() + (e.attempts() > 0 ? ", attempt " + e.attempts() + " failed: "
                + e.lastError() : "");
        }
        out.printf("%-6d %-8s %-8s %-30s %s%n         %s%n", e.id(), e.status(), e.severity(), e.recipient(),
            e.title(), when);
      }
    }
    return ExitCodes.OK;
  }
}
