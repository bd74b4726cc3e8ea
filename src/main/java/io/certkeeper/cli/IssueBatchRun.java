package io.certkeeper.cli;

import io.certkeeper.ca.CaException;
import io.certkeeper.ca.IssuedCertificate;
import io.certkeeper.ca.IssuedFiles;
import io.certkeeper.ca.Issuer;
import io.certkeeper.ca.LocalCa;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.Store;
import io.certkeeper.util.ErrorText;
import io.certkeeper.util.Json;
import io.certkeeper.util.Printable;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code certkeeper issue --batch FILE}: reads and checks every row first (nothing is issued when
 * one is wrong), then issues on several threads through one {@link Issuer}, whose store commits are
 * shared between the threads, and writes each row's files as {@code issue} does. A row that fails
 * (policy, files) is one line naming the file, line and name; the others go on.
 */
final class IssueBatchRun {
  /** Errors printed before "and N more". */
  static final int MAX_ERRORS_SHOWN = 20;

  private final CertkeeperCommand root;
  private final CaContext ctx;
  private final PassphraseOption passphrase;
  private final Path file;
  private final int threads;
  private final String p12Password;
  private final boolean p12;
  private final boolean force;
  private final boolean json;

  IssueBatchRun(CertkeeperCommand root, CaContext ctx, PassphraseOption passphrase, Path file, Integer threads,
      String p12Password, boolean p12, boolean force, boolean json) {
    this.root = root;
    this.ctx = ctx;
    this.passphrase = passphrase;
    this.file = file;
    this.threads = threads == null ? defaultThreads() : threads;
    this.p12Password = p12Password;
    this.p12 = p12;
    this.force = force;
    this.json = json;
  }

  /**
   * Four threads per processor (at most 64): a thread spends much of its time waiting for the
   * store's shared commit and the files' fsyncs, and more threads share more of each (2,000 rows
   * without bundles on 2 cores: 228 a second on 2 threads, 398 on 8).
   */
  static int defaultThreads() {
    return Math.min(64, 4 * Runtime.getRuntime().availableProcessors());
  }

  /** One row's outcome: what was issued and written, or why not. */
  private record Outcome(IssueBatch.Row row, IssueCommand.Issued issued, String error) {}

  int call() throws Exception {
    if (threads < 1 || threads > 256) {
      throw CliException.usage("--threads: must be between 1 and 256, got " + threads);
    }
    IssueBatch.Parsed parsed;
    try {
      parsed = IssueBatch.read(file, ctx.config().keyType(), ctx.config().validity(), Path.of(""));
    } catch (IOException e) {
      throw CliException.usage("--batch: cannot read " + file + ": " + ErrorText.of(e));
    }
    List<String> errors = new ArrayList<>(parsed.errors());
    Map<Path, Integer> dirs = new HashMap<>();
    for (IssueBatch.Row r : parsed.rows()) {
      Integer first = dirs.putIfAbsent(r.outDir(), r.line());
      if (first != null) {
        errors.add(IssueBatch.where(file, r.line()) + "out-dir: " + r.outDir() + " is also line " + first + "'s");
      } else if (!force && !IssuedFiles.existing(r.outDir()).isEmpty()) {
        errors.add(IssueBatch.where(file, r.line()) + "out-dir: " + IssuedFiles.existing(r.outDir()).get(0)
            + " exists; refusing to overwrite (use --force)");
      }
    }
    if (!errors.isEmpty()) {
      throw CliException.usage(summary(errors) + "\nnothing was issued");
    }
    Optional<char[]> p12 = IssueCommand.p12Password(root, p12Password);
    LocalCa ca = ctx.load(passphrase.file);
    List<Outcome> outcomes = new ArrayList<>();
    long t0 = System.nanoTime();
    try (Store store = root.openStore()) {
      IssuedCertificateRepository repo = new IssuedCertificateRepository(store);
      Issuer issuer = ctx.issuer(ca, repo);
      for (IssueBatch.Row row : parsed.rows()) {
        try {
          issuer.check(row.request());
        } catch (CaException e) {
          errors.add(IssueBatch.where(file, row.line()) + Printable.line(row.request().commonName()) + ": "
              + e.getMessage());
        }
      }
      if (!errors.isEmpty()) {
        throw CliException.usage(summary(errors) + "\nnothing was issued");
      }
      ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "certkeeper-issue");
        t.setDaemon(true);
        return t;
      });
      try {
        List<Future<Outcome>> futures = new ArrayList<>();
        Optional<char[]> password = p12;
        for (IssueBatch.Row row : parsed.rows()) {
          futures.add(pool.submit(() -> issue(issuer, row, password)));
        }
        for (Future<Outcome> f : futures) {
          outcomes.add(f.get());
        }
      } catch (ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      } finally {
        pool.shutdownNow();
        p12.ifPresent(p -> Arrays.fill(p, '\0'));
      }
      ctx.crlPublisher(ca, repo).refreshIfDue();
    } catch (CaException e) {
      throw CaContext.fail(e);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return report(outcomes, seconds);
  }

  private Outcome issue(Issuer issuer, IssueBatch.Row row, Optional<char[]> p12) {
    String name = Printable.line(row.request().commonName());
    IssuedCertificate issued;
    try {
      issued = issuer.issue(row.request());
    } catch (Exception e) {
      return new Outcome(row, null, IssueBatch.where(file, row.line()) + name + ": " + ErrorText.of(e));
    }
    try {
      List<Path> files = IssuedFiles.write(row.outDir(), issued, p12, this.p12);
      return new Outcome(row, IssueCommand.Issued.of(issued, files), null);
    } catch (IOException | RuntimeException e) {
      return new Outcome(row, IssueCommand.Issued.of(issued, List.of()), IssueBatch.where(file, row.line()) + name
          + ": certificate " + issued.serialHex() + " was issued and recorded, but writing " + row.outDir()
          + " failed: " + ErrorText.of(e) + "; revoke it with 'certkeeper revoke " + issued.serialHex() + "'");
    }
  }

  private int report(List<Outcome> outcomes, double seconds) {
    PrintWriter out = root.out();
    PrintWriter err = root.err();
    List<String> failed = new ArrayList<>();
    List<IssueCommand.Issued> issued = new ArrayList<>();
    for (Outcome o : outcomes) {
      if (o.error() != null) {
        failed.add(o.error());
      }
      if (o.issued() != null && o.error() == null) {
        issued.add(o.issued());
      }
    }
    if (json) {
      out.println(Json.pretty(issued));
    } else {
      for (IssueCommand.Issued i : issued) {
        out.printf("issued %s %s -> %s%n", i.serial(), i.subject(),
            i.files().isEmpty() ? "" : Path.of(i.files().get(0)).getParent());
      }
      out.printf("issued %d of %d certificates in %.1f s (%.0f a second)%n", issued.size(), outcomes.size(), seconds,
          issued.size() / Math.max(seconds, 1e-3));
    }
    for (String f : failed) {
      err.println(f);
    }
    out.flush();
    err.flush();
    return failed.isEmpty() ? ExitCodes.OK : ExitCodes.USAGE;
  }

  private static String summary(List<String> errors) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < Math.min(errors.size(), MAX_ERRORS_SHOWN); i++) {
      b.append(i == 0 ? "" : "\n").append(errors.get(i));
    }
    if (errors.size() > MAX_ERRORS_SHOWN) {
      b.append("\n... and ").append(errors.size() - MAX_ERRORS_SHOWN).append(" more");
    }
    return b.toString();
  }
}
