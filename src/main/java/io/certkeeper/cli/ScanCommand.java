package io.certkeeper.cli;

import io.certkeeper.config.SecretRef;
import io.certkeeper.util.Durations;
import io.certkeeper.util.Json;
import io.certkeeper.util.Printable;
import io.certkeeper.x509.CertificateFile;
import io.certkeeper.x509.Fingerprints;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "scan",
    mixinStandardHelpOptions = true,
    description = {
      "Look at the certificates in files: PEM (bundles too), DER, PKCS#12, JKS and JCEKS, told apart",
      "by content. A directory is read with everything under it (symbolic links not followed); files",
      "in it that are no certificate files (keys, text) are skipped.",
      "Nothing is recorded in the store."
    },
    footer = {
      "",
      "Exit codes (Nagios style, worst over all certificates): 0 OK; 1 WARNING (expiring within",
      "--warning); 2 CRITICAL (expired, not yet valid, or expiring within --critical); 3 UNKNOWN (a",
      "file that could not be read, a wrong password, or a usage error)."
    })
final class ScanCommand implements Callable<Integer>, UsageExitCode {
  static final int UNKNOWN = 3;
  /** Files looked at under one directory at most. */
  static final int MAX_FILES = 100_000;
  /** How deep a directory is walked. */
  static final int MAX_DEPTH = 16;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "PATH", arity = "1..*", description = "Files or directories.")
  List<Path> paths = new ArrayList<>();

  @Option(names = "--password", paramLabel = "REF",
      description = "Keystore password, a secret reference (file:PATH, env:NAME, credential:NAME).")
  String password;

  @Option(names = "--warning", paramLabel = "D", defaultValue = "30d", description = "Warn below this (default ${DEFAULT-VALUE}).")
  String warning;

  @Option(names = "--critical", paramLabel = "D", defaultValue = "7d", description = "Critical below this (default ${DEFAULT-VALUE}).")
  String critical;

  @Option(names = "--json", description = "Print JSON: {\"certificates\": [...], \"problems\": [...]}.")
  boolean json;

  /**
   * One certificate found.
   *
   * @param where its place in the file: {@code #N} in a bundle, or the keystore alias
   * @param status {@code ok}, {@code warning}, {@code critical}, {@code expired} or {@code not-yet-valid}
   */
  record Found(String path, String where, String format, String subject, String issuer, String serial,
      String sha256, Instant notBefore, Instant notAfter, long daysLeft, String status) {}

  /** A file that holds no readable certificate, and why. */
  record Problem(String path, String problem) {}

  record Result(List<Found> certificates, List<Problem> problems) {}

  @Override
  public int usageExitCode() {
    return UNKNOWN;
  }

  @Override
  public Integer call() throws Exception {
    CertkeeperCommand root = CertkeeperCommand.of(spec);
    Duration warn;
    Duration crit;
    try {
      warn = Durations.parse(warning);
      crit = Durations.parse(critical);
    } catch (IllegalArgumentException e) {
      throw new CliException(UNKNOWN, "--warning/--critical: " + e.getMessage());
    }
    Optional<char[]> pass = Optional.empty();
    if (password != null) {
      try {
        pass = Optional.of(SecretRef.parse(password, root.env()).resolve());
      } catch (IllegalArgumentException | IOException e) {
        throw new CliException(UNKNOWN, "--password: " + e.getMessage());
      }
    }
    Instant now = root.clock().instant();
    List<Found> found = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    int skipped = 0;
    for (Path p : paths) {
      boolean walked = Files.isDirectory(p);
      for (Path file : files(p, problems)) {
        try {
          CertificateFile.Read read = CertificateFile.read(file, pass);
          for (CertificateFile.Found f : read.certificates()) {
            found.add(found(file, f, read.format(), now, warn, crit));
          }
        } catch (CertificateFile.NotCertificates e) {
          if (walked) {
            skipped++; // a key, a README, a script: found in a directory, not asked for
          } else {
            problems.add(new Problem(file.toString(), Printable.line(e.getMessage())));
          }
        } catch (IOException e) {
          problems.add(new Problem(file.toString(), Printable.line(e.getMessage())));
        }
      }
    }
    found.sort(java.util.Comparator.comparing(Found::notAfter).thenComparing(Found::path));
    PrintWriter out = root.out();
    if (json) {
      out.println(Json.pretty(new Result(found, problems)));
    } else {
      Table t = Table.of("STATUS", "DAYS", "NOT AFTER", "SUBJECT", "FILE");
      for (Found f : found) {
        t.row(f.status(), f.daysLeft(), f.notAfter(), Printable.line(f.subject()),
            Printable.line(f.path()) + (f.where().equals("#1") && !f.format().equals("PEM") ? "" : " " + f.where()));
      }
      if (!t.isEmpty()) {
        t.print(out);
      }
      for (Problem p : problems) {
        root.err().println("certkeeper: " + Printable.line(p.path()) + ": " + p.problem().replace(p.path() + ": ", ""));
      }
      long files = found.stream().map(Found::path).distinct().count();
      out.printf("%d certificate%s in %d file%s; %d file%s could not be read%s%n", found.size(),
          found.size() == 1 ? "" : "s", files, files == 1 ? "" : "s", problems.size(), problems.size() == 1 ? "" : "s",
          skipped > 0 ? "; " + skipped + " other file" + (skipped == 1 ? "" : "s") + " (no certificates) skipped" : "");
    }
    int worst = 0;
    for (Found f : found) {
      worst = Math.max(worst, switch (f.status()) {
        case "ok" -> 0;
        case "warning" -> 1;
        default -> 2;
      });
    }
    return problems.isEmpty() ? worst : UNKNOWN;
  }

  private static Found found(Path file, CertificateFile.Found f, CertificateFile.Format format, Instant now,
      Duration warn, Duration crit) {
    X509Certificate c = f.certificate();
    Instant notBefore = c.getNotBefore().toInstant();
    Instant notAfter = c.getNotAfter().toInstant();
    // the dashboard's bands, and one more: a certificate not valid yet
    String status = now.isBefore(notBefore) && notAfter.isAfter(now) ? "not-yet-valid"
        : io.certkeeper.report.InventoryPage.severity(notAfter, now, warn, crit);
    return new Found(file.toString(), f.where(), format.name(), c.getSubjectX500Principal().getName(),
        c.getIssuerX500Principal().getName(), c.getSerialNumber().toString(16), Fingerprints.sha256(c), notBefore,
        notAfter, Math.floorDiv(Duration.between(now, notAfter).toSeconds(), 86_400L), status);
  }

  /** {@code p} itself, or the regular files under it; what cannot be walked is a problem. */
  private static List<Path> files(Path p, List<Problem> problems) {
    if (!Files.isDirectory(p)) {
      return List.of(p);
    }
    List<Path> out = new ArrayList<>();
    try {
      Files.walkFileTree(p, EnumSet.noneOf(FileVisitOption.class), MAX_DEPTH, new java.nio.file.SimpleFileVisitor<>() {
        @Override
        public java.nio.file.FileVisitResult visitFile(Path f, BasicFileAttributes a) {
          if (a.isRegularFile() && a.size() > 0) {
            out.add(f);
          }
          return out.size() >= MAX_FILES ? java.nio.file.FileVisitResult.TERMINATE
              : java.nio.file.FileVisitResult.CONTINUE;
        }

        @Override
        public java.nio.file.FileVisitResult visitFileFailed(Path f, IOException e) {
          problems.add(new Problem(f.toString(), io.certkeeper.util.ErrorText.about(f, e)));
          return java.nio.file.FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      problems.add(new Problem(p.toString(), io.certkeeper.util.ErrorText.about(p, e)));
    }
    out.sort(null);
    return out;
  }
}
