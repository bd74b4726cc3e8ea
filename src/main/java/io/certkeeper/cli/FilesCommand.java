package io.certkeeper.cli;

import io.certkeeper.config.Config;
import io.certkeeper.files.FileInventory;
import io.certkeeper.report.FileListing;
import io.certkeeper.report.FileListing.ListedFile;
import io.certkeeper.store.Store;
import io.certkeeper.store.WatchedFileRepository;
import io.certkeeper.util.Json;
import io.certkeeper.util.Printable;
import io.certkeeper.util.Timestamps;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "files",
    mixinStandardHelpOptions = true,
    subcommands = {FilesCommand.Rescan.class},
    description = {
      "List the certificate files of files: as the store last recorded them: each file's",
      "certificates by time left, the problem that kept it from being read (missing, unreadable,",
      "wrong_password, too_large, no_certificates, damaged), and the endpoints that serve another",
      "certificate than its leaf (stale deploys). The daemon rescans them on each entry's",
      "rescan interval; 'certkeeper files rescan' does it now."
    },
    footer = {
      "",
      "Exit codes: 0 every file read and none expiring within its warning; 1 one expiring within",
      "its warning, or a stale deploy; 2 one within its critical or expired, or a file with a problem."
    })
final class FilesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--all-nodes", description = "Every node's files, not only this node's.")
  boolean allNodes;

  @Option(names = "--problems", description = "Only files that are not ok (a problem, expiring, stale).")
  boolean problems;

  @Option(names = "--json", description = "Print a JSON array (shape documented in README).")
  boolean json;

  @Override
  public Integer call() throws Exception {
    CertkeeperCommand root = CertkeeperCommand.of(spec);
    Config config = root.config();
    Instant now = root.clock().instant();
    List<ListedFile> files;
    try (Store store = root.openStore()) {
      files = FileListing.list(store, allNodes ? Optional.empty() : Optional.of(config.nodeName()), config.nodeName(),
          now);
    }
    if (problems) {
      files = files.stream().filter(f -> !f.status().equals("ok")).toList();
    }
    PrintWriter out = root.out();
    if (json) {
      out.println(Json.pretty(files));
    } else if (files.isEmpty()) {
      out.println(config.files().isEmpty() && !allNodes ? "no files: configured (see files: in README)" : "no files");
    } else {
      Table t = Table.of("STATUS", "DAYS", "NOT AFTER", "SUBJECT", "FILE");
      for (ListedFile f : files) {
        String where = (allNodes ? f.node() + ":" : "") + f.path();
        if (f.problemCode() != null) {
          t.row("problem", "", "", f.problemCode() + ": " + Printable.line(f.problem()), Printable.line(where));
          continue;
        }
        for (FileListing.Held h : f.certificates()) {
          t.row(h.severity(), h.daysLeft(), Timestamps.format(h.notAfter()), Printable.line(h.subject()),
              Printable.line(where) + " " + h.place());
        }
        for (FileListing.Stale s : f.staleDeploys()) {
          t.row("stale", "", "", (s.fileIsNewer() ? "newer than what " : "older than what ") + s.endpoint()
              + " serves (" + s.servedSha256().substring(0, 16) + "..., " + s.link() + ")", Printable.line(where));
        }
      }
      t.print(out);
    }
    int worst = 0;
    for (ListedFile f : files) {
      worst = Math.max(worst, switch (f.status()) {
        case "warning", "stale" -> 1;
        case "critical", "expired", "problem" -> 2;
        default -> 0;
      });
    }
    return worst;
  }

  @Command(
      name = "rescan",
      mixinStandardHelpOptions = true,
      description = {
        "Read the files of files: now and record what they hold (the daemon does this on each",
        "entry's interval). Files not changed since the last read by this command are read again."
      })
  static final class Rescan implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      CertkeeperCommand root = CertkeeperCommand.of(spec);
      Config config = root.config();
      FileInventory.Pass p;
      try (Store store = root.openStore()) {
        p = new FileInventory(new WatchedFileRepository(store, config.nodeName()), root.clock())
            .rescanAll(config.files());
      }
      root.out().printf("%d files matched, %d read, %d with problems, %d forgotten%n", p.matched(), p.read(),
          p.problems(), p.forgotten());
      return p.problems() > 0 ? 2 : ExitCodes.OK;
    }
  }
}
