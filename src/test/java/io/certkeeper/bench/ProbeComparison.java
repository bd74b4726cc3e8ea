package io.certkeeper.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certkeeper.probe.ExpiryThresholds;
import io.certkeeper.probe.ProbeJudge;
import io.certkeeper.probe.ProbeOptions;
import io.certkeeper.probe.ProbeResult;
import io.certkeeper.probe.ProbeTarget;
import io.certkeeper.probe.Prober;
import io.certkeeper.x509.Pem;
import io.certkeeper.x509.TrustAnchors;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Probe throughput against N loopback {@code openssl s_server} processes (same certificate for
 * everyone): certkeeper's prober (capture + chain validation + classification, what the daemon does
 * per endpoint) vs. the shell way ({@code s_client | x509 -enddate} under {@code xargs -P}), vs.
 * {@code openssl s_time} (the handshake ceiling), vs. blackbox_exporter's {@code /probe} when
 * installed. CPU of each contender and of the servers is read from {@code /proc} in the same run.
 */
public final class ProbeComparison {
  private ProbeComparison() {}

  public static void main(String[] args) throws Exception {
    boolean quick = Bench.quick(args);
    int servers = quick ? 16 : 64;
    int seconds = quick ? 5 : 15;
    int shellProbes = quick ? 120 : 600;
    int shellParallel = 16;
    int concurrency = 64;
    ObjectNode out = Bench.section("probe", quick);
    Path work = Files.createTempDirectory("certkeeper-bench-probe");
    try {
      Bench.Pki pki = Bench.pki(work.resolve("pki"));
      out.put("endpoints", servers);
      out.put("server", "openssl s_server -www, one process per port, EC P-256 leaf, TLS 1.3");
      try (Bench.OpensslServers s = new Bench.OpensslServers(pki, servers)) {
        certkeeper(out.putObject("certkeeper"), pki, s, seconds, concurrency);
        shell(out.putObject("shell"), work, s, shellProbes, shellParallel);
        sTime(out.putObject("s_time"), work, s, seconds);
        blackbox(out.putObject("blackbox"), work, pki, s, seconds, concurrency);
      }
      double ck = out.get("certkeeper").get("probes_per_s").asDouble();
      ObjectNode ratios = out.putObject("ratios");
      ratios.put("certkeeper_over_s_time", Bench.round(ck / out.get("s_time").get("probes_per_s").asDouble(), 3));
      ratios.put("certkeeper_over_shell", Bench.round(ck / out.get("shell").get("probes_per_s").asDouble(), 1));
      if (out.get("blackbox").has("probes_per_s")) {
        ratios.put("certkeeper_over_blackbox",
            Bench.round(ck / out.get("blackbox").get("probes_per_s").asDouble(), 2));
      }
      Bench.save(out);
    } finally {
      Bench.deleteTree(work);
    }
  }

  private static void certkeeper(ObjectNode o, Bench.Pki pki, Bench.OpensslServers s, int seconds, int concurrency)
      throws Exception {
    List<ProbeTarget> targets = new ArrayList<>();
    for (int port : s.ports) {
      targets.add(ProbeTarget.parse("127.0.0.1:" + port));
    }
    ProbeJudge judge = ProbeJudge.strict(TrustAnchors.of(Pem.readCertificates(pki.rootCert())),
        ExpiryThresholds.defaults(), Clock.systemUTC());
    ProbeOptions options = ProbeOptions.builder().serverName("localhost").concurrency(concurrency).build();
    try (Prober prober = Prober.start(options)) {
      lanes(prober, judge, targets, 3); // warm-up: JIT, TLS context, thread pools
      double cpu0 = Bench.selfCpuSeconds();
      double srv0 = s.cpuSeconds();
      long t0 = System.nanoTime();
      long[] counts = lanes(prober, judge, targets, seconds);
      double wall = (System.nanoTime() - t0) / 1e9;
      double cpu = Bench.selfCpuSeconds() - cpu0;
      double srv = s.cpuSeconds() - srv0;
      long n = counts[0] + counts[1];
      o.put("what", "Prober + ProbeJudge (chain validation, expiry, classification), " + prober.tlsProvider()
          + " TLS, concurrency " + concurrency + ", warm JVM");
      o.put("probes", n);
      o.put("failed", counts[1]);
      o.put("seconds", Bench.round(wall, 2));
      o.put("probes_per_s", Bench.round(n / wall, 1));
      o.put("cpu_ms_per_probe", Bench.round(cpu * 1000 / n, 3));
      o.put("server_cpu_ms_per_probe", Bench.round(srv * 1000 / n, 3));
      System.out.println("certkeeper " + o);
    }
  }

  /** Chains of probes (as many as the concurrency) cycling over the targets until the deadline. */
  private static long[] lanes(Prober prober, ProbeJudge judge, List<ProbeTarget> targets, int seconds) {
    long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    List<CompletableFuture<Void>> lanes = new ArrayList<>();
    int n = prober.options().concurrency();
    for (int lane = 0; lane < n; lane++) {
      lanes.add(lane(prober, judge, targets, lane, n, deadline, ok, failed));
    }
    CompletableFuture.allOf(lanes.toArray(new CompletableFuture<?>[0])).join();
    return new long[] {ok.get(), failed.get()};
  }

  private static CompletableFuture<Void> lane(Prober prober, ProbeJudge judge, List<ProbeTarget> targets, int i,
      int step, long deadline, AtomicLong ok, AtomicLong failed) {
    if (System.nanoTime() > deadline) {
      return CompletableFuture.completedFuture(null);
    }
    return prober.probe(targets.get(i % targets.size())).thenCompose(c -> {
      ProbeResult r = judge.judge(c);
      if (r.validPath() && r.problems().isEmpty()) {
        ok.incrementAndGet();
      } else if (failed.incrementAndGet() == 1) {
        System.out.println("first failed probe: " + r.message());
      }
      return lane(prober, judge, targets, i + step, step, deadline, ok, failed);
    });
  }

  private static void shell(ObjectNode o, Path work, Bench.OpensslServers s, int probes, int parallel)
      throws Exception {
    StringBuilder ports = new StringBuilder();
    for (int i = 0; i < probes; i++) {
      ports.append(s.ports.get(i % s.ports.size())).append('\n');
    }
    Path list = work.resolve("ports.txt");
    Files.writeString(list, ports);
    String one = "echo | openssl s_client -connect 127.0.0.1:$0 -servername localhost 2>/dev/null"
        + " | openssl x509 -noout -enddate";
    double srv0 = s.cpuSeconds();
    Bench.Timed t = Bench.timedBash(work, "xargs -P " + parallel + " -n 1 sh -c '" + one + "' < " + list);
    double srv = s.cpuSeconds() - srv0;
    long ok = t.output().lines().filter(l -> l.startsWith("notAfter=")).count();
    o.put("what", "xargs -P " + parallel + " sh -c 'echo | openssl s_client -connect H:P -servername localhost"
        + " | openssl x509 -noout -enddate'");
    o.put("probes", probes);
    o.put("failed", probes - ok);
    o.put("seconds", Bench.round(t.wall(), 2));
    o.put("probes_per_s", Bench.round(probes / t.wall(), 1));
    o.put("cpu_ms_per_probe", Bench.round(t.cpu() * 1000 / probes, 3));
    o.put("server_cpu_ms_per_probe", Bench.round(srv * 1000 / probes, 3));
    System.out.println("shell " + o);
  }

  private static final Pattern CONNECTIONS = Pattern.compile("(\\d+) connections in [0-9.]+ real seconds");

  /** One {@code s_time -new} per two servers' worth of cores: 2 × cores clients in parallel. */
  private static void sTime(ObjectNode o, Path work, Bench.OpensslServers s, int seconds) throws Exception {
    int clients = Math.min(s.ports.size(), 2 * Runtime.getRuntime().availableProcessors());
    StringBuilder script = new StringBuilder();
    for (int i = 0; i < clients; i++) {
      script.append("openssl s_time -connect 127.0.0.1:").append(s.ports.get(i)).append(" -new -time ")
          .append(seconds).append(" 2>&1 & ");
    }
    script.append("wait");
    double srv0 = s.cpuSeconds();
    Bench.Timed t = Bench.timedBash(work, script.toString());
    double srv = s.cpuSeconds() - srv0;
    long n = 0;
    Matcher m = CONNECTIONS.matcher(t.output());
    while (m.find()) {
      n += Long.parseLong(m.group(1));
    }
    o.put("what", clients + " × openssl s_time -new -time " + seconds + " in parallel (full handshakes, no"
        + " validation, no parsing)");
    o.put("probes", n);
    o.put("seconds", Bench.round(t.wall(), 2));
    o.put("probes_per_s", Bench.round(n / t.wall(), 1));
    o.put("cpu_ms_per_probe", Bench.round(t.cpu() * 1000 / Math.max(1, n), 3));
    o.put("server_cpu_ms_per_probe", Bench.round(srv * 1000 / Math.max(1, n), 3));
    System.out.println("s_time " + o);
  }

  private static void blackbox(ObjectNode o, Path work, Bench.Pki pki, Bench.OpensslServers s, int seconds,
      int concurrency) throws Exception {
    String exe = null;
    for (String candidate : List.of("/usr/bin/prometheus-blackbox-exporter", "/usr/local/bin/blackbox_exporter",
        "/usr/bin/blackbox_exporter")) {
      if (Files.isExecutable(Path.of(candidate))) {
        exe = candidate;
        break;
      }
    }
    if (exe == null) {
      o.put("skipped", "blackbox_exporter is not installed (Debian: apt-get install prometheus-blackbox-exporter)");
      System.out.println("blackbox: skipped, not installed");
      return;
    }
    Path config = work.resolve("blackbox.yml");
    Files.writeString(config, "modules:\n  tls:\n    prober: tcp\n    timeout: 5s\n    tcp:\n      tls: true\n"
        + "      tls_config:\n        ca_file: " + pki.rootCert() + "\n        server_name: localhost\n");
    int port = Bench.freePort();
    Process bb = new ProcessBuilder(exe, "--config.file=" + config, "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(work.resolve("blackbox.log").toFile()).start();
    try {
      Bench.awaitPort(port, 10_000);
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      blackboxLanes(http, port, s, 2, concurrency);
      double cpu0 = Bench.cpuSeconds(bb.pid());
      double self0 = Bench.selfCpuSeconds();
      double srv0 = s.cpuSeconds();
      long t0 = System.nanoTime();
      long[] counts = blackboxLanes(http, port, s, seconds, concurrency);
      double wall = (System.nanoTime() - t0) / 1e9;
      double cpu = Bench.cpuSeconds(bb.pid()) - cpu0;
      double driver = Bench.selfCpuSeconds() - self0;
      double srv = s.cpuSeconds() - srv0;
      long n = counts[0] + counts[1];
      o.put("what", "prometheus-blackbox-exporter tcp+tls module, GET /probe from " + concurrency
          + " concurrent HTTP/1.1 requests");
      o.put("probes", n);
      o.put("failed", counts[1]);
      o.put("seconds", Bench.round(wall, 2));
      o.put("probes_per_s", Bench.round(n / wall, 1));
      o.put("cpu_ms_per_probe", Bench.round(cpu * 1000 / Math.max(1, n), 3));
      o.put("driver_cpu_ms_per_probe", Bench.round(driver * 1000 / Math.max(1, n), 3));
      o.put("server_cpu_ms_per_probe", Bench.round(srv * 1000 / Math.max(1, n), 3));
      System.out.println("blackbox " + o);
    } finally {
      bb.destroy();
    }
  }

  private static long[] blackboxLanes(HttpClient http, int port, Bench.OpensslServers s, int seconds,
      int concurrency) {
    long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    List<CompletableFuture<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < concurrency; lane++) {
      lanes.add(blackboxLane(http, port, s, lane, concurrency, deadline, ok, failed));
    }
    CompletableFuture.allOf(lanes.toArray(new CompletableFuture<?>[0])).join();
    return new long[] {ok.get(), failed.get()};
  }

  private static CompletableFuture<Void> blackboxLane(HttpClient http, int port, Bench.OpensslServers s, int i,
      int step, long deadline, AtomicLong ok, AtomicLong failed) {
    if (System.nanoTime() > deadline) {
      return CompletableFuture.completedFuture(null);
    }
    int target = s.ports.get(i % s.ports.size());
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
        + "/probe?module=tls&target=127.0.0.1:" + target)).timeout(Duration.ofSeconds(10)).build();
    return http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).handle((r, e) -> {
      boolean good = e == null && r.statusCode() == 200 && r.body().contains("\nprobe_success 1");
      (good ? ok : failed).incrementAndGet();
      return null;
    }).thenCompose(v -> blackboxLane(http, port, s, i + step, step, deadline, ok, failed));
  }
}
