package io.certkeeper.cli;

import io.certkeeper.util.Printable;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.certkeeper.config.EndpointConfig;
import io.certkeeper.daemon.TrustSources;
import io.certkeeper.probe.ExpiryThresholds;
import io.certkeeper.probe.NagiosStatus;
import io.certkeeper.probe.ProbeCapture;
import io.certkeeper.probe.ProbeJson;
import io.certkeeper.probe.ProbeJudge;
import io.certkeeper.probe.ProbeOptions;
import io.certkeeper.probe.ProbeProblem;
import io.certkeeper.probe.ProbeRecords;
import io.certkeeper.probe.ProbeResult;
import io.certkeeper.probe.ProbeTarget;
import io.certkeeper.probe.Prober;
import io.certkeeper.probe.ProxyEndpoint;
import io.certkeeper.probe.FetchedRevocation;
import io.certkeeper.probe.RevocationFetcher;
import io.certkeeper.probe.StartTls;
import io.certkeeper.store.ProbeResultRepository;
import io.certkeeper.store.Store;
import io.certkeeper.util.Durations;
import io.certkeeper.util.Json;
import io.certkeeper.util.TargetsFile;
import io.certkeeper.util.TimeLeft;
import io.certkeeper.x509.TrustAnchors;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "probe",
    mixinStandardHelpOptions = true,
    description = {
      "Connect to TLS endpoints, capture the chain each one serves (even a bad one), validate it",
      "strictly and name every problem. Results go to the store unless --no-store.",
      "TARGET is host:port, [v6addr]:port, https://host[:port] or host (port 443)."
    },
    footer = {
      "",
      "Exit codes (Nagios style, worst over all targets): 0 OK; 1 WARNING (only 'expiring', with more",
      "days left than --critical); 2 CRITICAL (any other problem, or 'expiring' within --critical);",
      "3 UNKNOWN (usage or input error)."
    })
final class ProbeCommand implements Callable<Integer>, UsageExitCode {
  static final int UNKNOWN = 3;
  /** Time allowed for each CRL or OCSP fetch. */
  static final java.time.Duration REVOCATION_TIMEOUT = java.time.Duration.ofSeconds(5);
  /** Above this many targets, a terminal shows a progress line. */
  static final int PROGRESS_ABOVE = 20;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "TARGET", arity = "0..*")
  List<String> targets = new ArrayList<>();

  @Option(names = "--targets-file", paramLabel = "FILE", description = "Read targets from FILE, one per line ('#' comments).")
  Path targetsFile;

  @Option(names = "--servername", paramLabel = "NAME", description = "Expected name and SNI (default: each target's host).")
  String servername;

  @Option(names = "--ca-file", paramLabel = "FILE", description = "Extra trust anchors (PEM); repeatable.")
  List<Path> caFiles = new ArrayList<>();

  @Option(names = "--no-system-trust", description = "Do not trust the JDK's trust store.")
  boolean noSystemTrust;

  @Option(names = "--starttls", paramLabel = "P", description = "smtp, imap, pop3, ftp, ldap or postgres.")
  String starttls;

  @Option(names = "--proxy", paramLabel = "URL", description = "HTTP CONNECT proxy: http://[user:pass@]host:port.")
  String proxy;

  @Option(names = "--timeout", paramLabel = "D", defaultValue = "10s", description = "Overall time per probe (default ${DEFAULT-VALUE}).")
  String timeout;

  @Option(names = "--concurrency", paramLabel = "N", defaultValue = "64", description = "Probes in flight at once (default ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--warning", paramLabel = "D", defaultValue = "30d", description = "'expiring' below this (default ${DEFAULT-VALUE}).")
  String warning;

  @Option(names = "--critical", paramLabel = "D", defaultValue = "7d", description = "'expiring' is critical below this (default ${DEFAULT-VALUE}).")
  String critical;

  @Option(names = "--check-revocation",
      description = "Also fetch CRLs and OCSP from each chain's own URLs (plain HTTP; 5 s and 10 MiB each).")
  boolean checkRevocation;

  @Option(names = "--no-store", description = "Do not record results in the store.")
  boolean noStore;

  @Option(names = "--json", description = "Print a JSON array, one object per target (shape in README).")
  boolean json;

  @Override
  public int usageExitCode() {
    return UNKNOWN;
  }

  @Override
  public Integer call() throws Exception {
    CertkeeperCommand root = CertkeeperCommand.of(spec);
    List<ProbeTarget> parsed = parseTargets();
    ProbeOptions options = options();
    ExpiryThresholds thresholds;
    try {
      thresholds = new ExpiryThresholds(Durations.parse(warning), Durations.parse(critical));
    } catch (IllegalArgumentException e) {
      throw new CliException(UNKNOWN, "--warning/--critical: " + e.getMessage());
    }
    TrustAnchors anchors;
    Path dataDir = root.dataDir();
    try {
      anchors = TrustSources.anchors(!noSystemTrust, caFiles, dataDir);
    } catch (IOException e) {
      throw new CliException(UNKNOWN, "--ca-file: " + io.certkeeper.util.ErrorText.of(e));
    }
    ProbeJudge judge = ProbeJudge.strict(anchors, thresholds, root.clock());
    PrintWriter out = root.out();
    PrintWriter err = root.err();
    boolean progress = !json && parsed.size() > PROGRESS_ABOVE && System.console() != null;
    AtomicInteger done = new AtomicInteger();
    List<ProbeCapture> captures = new ArrayList<>();
    List<ProbeResult> results = new ArrayList<>();
    try (Prober prober = Prober.start(options)) {
      List<CompletableFuture<ProbeCapture>> futures = new ArrayList<>();
      for (ProbeTarget t : parsed) {
        futures.add(prober.probe(t).whenComplete((c, e) -> {
          int n = done.incrementAndGet();
          if (progress && (n % 10 == 0 || n == parsed.size())) {
            err.printf("\rprobed %d of %d", n, parsed.size());
            err.flush();
          }
        }));
      }
      for (CompletableFuture<ProbeCapture> f : futures) {
        captures.add(f.join());
      }
    }
    results.addAll(checkRevocation ? judgeWithRevocation(judge, captures, root.clock()) : captures.stream().map(judge::judge).toList());
    if (progress) {
      err.println();
    }
    if (!noStore) {
      record(root, captures, results);
    }
    if (json) {
      ArrayNode array = ProbeJson.array(results);
      out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(array));
    } else {
      boolean colour = System.console() != null && root.env().get("NO_COLOR") == null;
      for (ProbeResult r : results) {
        printHuman(out, r, thresholds, colour, root.clock().instant());
      }
    }
    return NagiosStatus.worst(results, thresholds).exitCode();
  }

  /** Fetches each chain's revocation information (a few at a time; CRLs are shared) and judges. */
  private static List<ProbeResult> judgeWithRevocation(ProbeJudge judge, List<ProbeCapture> captures,
      java.time.Clock clock) {
    RevocationFetcher fetcher = RevocationFetcher.create(REVOCATION_TIMEOUT, clock);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
        Math.min(16, Math.max(1, captures.size())));
    try {
      List<CompletableFuture<ProbeResult>> judged = new ArrayList<>();
      for (ProbeCapture c : captures) {
        judged.add(CompletableFuture.supplyAsync(
            () -> judge.judge(c, c.chain().isEmpty() ? FetchedRevocation.none() : fetcher.fetch(c.chain())), pool));
      }
      return judged.stream().map(CompletableFuture::join).toList();
    } finally {
      pool.shutdownNow();
    }
  }

  private void record(CertkeeperCommand root, List<ProbeCapture> captures, List<ProbeResult> results) throws Exception {
    Instant now = root.clock().instant();
    try (Store store = root.openStore()) {
      ProbeResultRepository repo = new ProbeResultRepository(store);
      for (int i = 0; i < results.size(); i++) {
        ProbeResult r = results.get(i);
        String id = EndpointConfig.idFor(r.target().hostPort(), Optional.ofNullable(servername), Optional.ofNullable(starttls));
        repo.record(ProbeRecords.of(id, captures.get(i), r, now));
      }
    }
  }

  private List<ProbeTarget> parseTargets() {
    List<String> texts = new ArrayList<>(targets);
    List<String> where = new ArrayList<>();
    targets.forEach(t -> where.add(""));
    if (targetsFile != null) {
      try {
        for (TargetsFile.Line line : TargetsFile.read(targetsFile)) {
          texts.add(line.text());
          where.add(targetsFile + ":" + line.number());
        }
      } catch (IOException e) {
        throw new CliException(UNKNOWN, "--targets-file: cannot read " + io.certkeeper.util.ErrorText.about(targetsFile, e));
      }
    }
    if (texts.isEmpty()) {
      throw new CliException(UNKNOWN, "no targets: give TARGET arguments or --targets-file");
    }
    List<ProbeTarget> out = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      try {
        out.add(ProbeTarget.parse(texts.get(i)));
      } catch (IllegalArgumentException e) {
        throw new CliException(UNKNOWN, (where.get(i).isEmpty() ? "" : where.get(i) + ": ") + e.getMessage());
      }
    }
    return out;
  }

  private ProbeOptions options() {
    try {
      ProbeOptions.Builder b = ProbeOptions.builder()
          .timeout(Durations.parse(timeout))
          .concurrency(concurrency);
      if (servername != null) {
        b.serverName(servername);
      }
      if (starttls != null) {
        b.startTls(StartTls.parse(starttls));
      }
      if (proxy != null) {
        b.proxy(ProxyEndpoint.parse(proxy));
      }
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new CliException(UNKNOWN, e.getMessage());
    }
  }

  private static void printHuman(PrintWriter out, ProbeResult r, ExpiryThresholds thresholds, boolean colour,
      Instant now) {
    NagiosStatus s = NagiosStatus.of(r, thresholds);
    String label = s.name();
    if (colour) {
      String c = switch (s) {
        case OK -> "\u001b[32m";
        case WARNING -> "\u001b[33m";
        default -> "\u001b[31m";
      };
      label = c + label + "\u001b[0m";
    }
    out.printf("%-8s %s%s%n", label, Printable.line(r.target().hostAndPort()),
        r.chain().isEmpty() ? "" : " (" + TimeLeft.expiry(r.chain().get(0).notAfter(), now) + ")");
    out.println("         " + Printable.line(r.message()));
    for (ProbeProblem p : r.problems()) {
      out.println("         - " + p.code());
    }
  }
}
