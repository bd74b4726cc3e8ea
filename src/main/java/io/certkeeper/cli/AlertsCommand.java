package io.certkeeper.cli;

import io.certkeeper.alert.AlertLedger;
import io.certkeeper.store.LedgerEntry;
import io.certkeeper.store.Store;
import io.certkeeper.util.Json;
import io.certkeeper.util.Timestamps;
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
      Table t = Table.of("ID", "STATUS", "SEVERITY", "RECIPIENT", "ALERT", "DELIVERY");
      for (LedgerEntry e : entries) {
        t.row(e.id(), e.status(), e.severity(), e.recipient(), e.title(), delivery(e));
      }
      t.print(out);
    }
    return ExitCodes.OK;
  }

  /** When it was sent, when it is due, or why it failed. */
  static String delivery(LedgerEntry e) {
    switch (e.status()) {
      case "sent":
        return "sent " + Timestamps.format(e.sentAt()) + (e.sentBy() == null ? "" : " by " + e.sentBy());
      case "failed":
        return "failed after " + attempts(e.attempts()) + ": " + e.lastError();
      case "sending":
        return "being sent, " + attempts(e.attempts()) + " before";
      default:
        return "due " + Timestamps.format(e.nextAttemptAt())
            + (e.attempts() > 0 ? ", " + attempts(e.attempts()) + " failed, last: " + e.lastError() : "");
    }
  }

  private static String attempts(int n) {
    return n + (n == 1 ? " attempt" : " attempts");
  }
}
