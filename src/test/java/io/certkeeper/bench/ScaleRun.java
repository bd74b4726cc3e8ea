package io.certkeeper.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certkeeper.probe.ExpiryThresholds;
import io.certkeeper.probe.ProbeJudge;
import io.certkeeper.probe.ProbeOptions;
import io.certkeeper.probe.ProbeResult;
import io.certkeeper.probe.ProbeTarget;
import io.certkeeper.probe.Prober;
import io.certkeeper.store.Store;
import io.certkeeper.x509.Pem;
import io.certkeeper.x509.TrustAnchors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many endpoints on one host: the packaged daemon, started by {@code scripts/certkeeper} with the
 * launcher's options, probes N endpoints (distinct server names on two loopback
 * {@code openssl s_server}s) every P; after the start-up catch-up (one period), a steady window
 * of M periods is judged from the store: was every endpoint probed every period (no gap between
 * its probes longer than P plus a tolerance), how many probes failed, what each cost the daemon in
 * CPU, and the largest RSS. The same run measures the bare prober (Prober + ProbeJudge, nothing
 * stored) on the same endpoints, in this JVM, and divides.
 *
 * <p>Full: 100,000 endpoints every 5 minutes, two steady periods. {@code --quick}: 20,000 every
 * 60 s, three steady periods.
 */
public final class ScaleRun {
  private ScaleRun() {}

  /** A probe may complete this much later than its due time (queueing, handshake). */
  private static final Duration TOLERANCE = Duration.ofSeconds(10);

  public static void main(String[] args) throws Exception {
    boolean quick = Bench.quick(args);
    int endpoints = quick ? 20_000 : 100_000;
    Duration period = quick ? Duration.ofSeconds(60) : Duration.ofMinutes(5);
    int periods = quick ? 3 : 2;
    Path launcher = Path.of("scripts/certkeeper").toAbsolutePath();
    ObjectNode out = Bench.section("scale", quick);
    Path work = Files.createTempDirectory("certkeeper-bench-scale");
    try {
      Bench.Pki pki = Bench.pki(work.resolve("pki"));
      try (Bench.OpensslServers servers = new Bench.OpensslServers(pki, 2)) {
        ObjectNode bare = bare(pki, servers, endpoints, 10);
        out.set("bare", bare);
        Path config = work.resolve("certkeeper.yaml");
        StringBuilder y = new StringBuilder("scheduler:\n  probe-concurrency: 64\ndefaults:\n  every: "
            + period.toSeconds() + "s\n  ca-files: [" + pki.rootCert() + "]\nendpoints:\n");
        for (int i = 1; i <= endpoints; i++) {
          y.append("  - {target: '127.0.0.1:").append(servers.ports.get(i % 2)).append("', servername: h").append(i)
              .append(".bench.localhost}\n");
        }
        Files.writeString(config, y);
        Path idleConfig = work.resolve("idle.yaml");
        Files.writeString(idleConfig, "scheduler:\n  probe-concurrency: 64\n");
        double idleHeap = idleLiveHeap(launcher, work, idleConfig);
        ObjectNode daemon = daemon(launcher, work, config, endpoints, period, periods);
        out.put("idle_live_heap_mb", Bench.round(idleHeap, 1));
        out.put("heap_bytes_per_endpoint",
            Math.round((daemon.get("live_heap_mb").asDouble() - idleHeap) * 1048576 / endpoints));
        out.put("endpoints", endpoints);
        out.put("period_s", period.toSeconds());
        out.put("steady_periods", periods);
        out.setAll(daemon);
        double scheduled = daemon.get("cpu_ms_per_scheduled_probe").asDouble();
        out.put("scheduled_over_bare_cpu", Bench.round(scheduled / bare.get("cpu_ms_per_probe").asDouble(), 2));
      }
      out.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
          + "; the daemon with the launcher's options (scripts/certkeeper)");
      Bench.save(out);
      System.out.println("scale " + out);
    } finally {
      Bench.deleteTree(work);
    }
  }

  /** The bare prober and judge on the same endpoints, as fast as it goes, warm. */
  private static ObjectNode bare(Bench.Pki pki, Bench.OpensslServers servers, int endpoints, int seconds)
      throws Exception {
    ProbeJudge judge = ProbeJudge.strict(TrustAnchors.of(Pem.readCertificates(pki.rootCert())),
        ExpiryThresholds.defaults(), Clock.systemUTC());
    ObjectNode o = io.certkeeper.util.Json.mapper().createObjectNode();
    try (Prober prober = Prober.start(ProbeOptions.builder().concurrency(64).build())) {
      lanes(prober, judge, servers, endpoints, 5);
      double cpu0 = Bench.selfCpuSeconds();
      long t0 = System.nanoTime();
      long[] n = lanes(prober, judge, servers, endpoints, seconds);
      double wall = (System.nanoTime() - t0) / 1e9;
      double cpu = Bench.selfCpuSeconds() - cpu0;
      o.put("what", "Prober + ProbeJudge on the same endpoints, nothing stored, " + prober.tlsProvider()
          + " TLS, concurrency 64, warm JVM");
      o.put("probes", n[0] + n[1]);
      o.put("failed", n[1]);
      o.put("probes_per_s", Bench.round((n[0] + n[1]) / wall, 1));
      o.put("cpu_ms_per_probe", Bench.round(cpu * 1000 / (n[0] + n[1]), 3));
    }
    System.out.println("bare " + o);
    return o;
  }

  private static long[] lanes(Prober prober, ProbeJudge judge, Bench.OpensslServers servers, int endpoints,
      int seconds) {
    long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong next = new AtomicLong();
    List<CompletableFuture<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < 64; lane++) {
      lanes.add(lane(prober, judge, servers, endpoints, next, deadline, ok, failed));
    }
    CompletableFuture.allOf(lanes.toArray(new CompletableFuture<?>[0])).join();
    return new long[] {ok.get(), failed.get()};
  }

  private static CompletableFuture<Void> lane(Prober prober, ProbeJudge judge, Bench.OpensslServers servers,
      int endpoints, AtomicLong next, long deadline, AtomicLong ok, AtomicLong failed) {
    if (System.nanoTime() > deadline) {
      return CompletableFuture.completedFuture(null);
    }
    int i = (int) (next.getAndIncrement() % endpoints) + 1;
    ProbeTarget t = ProbeTarget.parse("127.0.0.1:" + servers.ports.get(i % 2));
    ProbeOptions options = ProbeOptions.builder().serverName("h" + i + ".bench.localhost").build();
    return prober.probe(t, options).thenCompose(c -> {
      ProbeResult r = judge.judge(c);
      if (r.validPath() && r.problems().isEmpty()) {
        ok.incrementAndGet();
      } else if (failed.incrementAndGet() == 1) {
        System.out.println("first failed bare probe: " + r.message());
      }
      return lane(prober, judge, servers, endpoints, next, deadline, ok, failed);
    });
  }

  /** The heap an idle daemon keeps after a full GC, in MB. */
  private static double idleLiveHeap(Path launcher, Path work, Path config) throws Exception {
    Path log = work.resolve("idle.log");
    Process daemon = new ProcessBuilder(launcher.toString(), "--config", config.toString(), "--data-dir",
        work.resolve("idle-data").toString(), "daemon").redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      Bench.awaitReady(daemon, log, 120);
      Thread.sleep(3000);
      return liveHeapMb(daemon.pid());
    } finally {
      daemon.destroy();
      daemon.waitFor(60, TimeUnit.SECONDS);
    }
  }

  /** A full GC in {@code pid}, then its used heap (jcmd GC.heap_info), in MB. */
  static double liveHeapMb(long pid) throws Exception {
    Bench.run(Path.of("."), "jcmd", Long.toString(pid), "GC.run");
    String info = Bench.run(Path.of("."), "jcmd", Long.toString(pid), "GC.heap_info");
    // "def new generation   total 9792K, used 1234K" / "tenured generation   total 21888K, used 17002K" /
    // "garbage-first heap   total 65536K, used 12345K"
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:generation|heap)\\s+total \\d+K, used (\\d+)K")
        .matcher(info);
    long used = 0;
    while (m.find()) {
      used += Long.parseLong(m.group(1));
    }
    return used / 1024.0;
  }

  private static ObjectNode daemon(Path launcher, Path work, Path config, int endpoints, Duration period,
      int periods) throws Exception {
    Path data = work.resolve("data");
    Path log = work.resolve("daemon.log");
    long t0 = System.nanoTime();
    Process daemon = new ProcessBuilder(launcher.toString(), "--config", config.toString(), "--data-dir",
        data.toString(), "daemon").redirectErrorStream(true).redirectOutput(log.toFile()).start();
    ObjectNode o = io.certkeeper.util.Json.mapper().createObjectNode();
    Instant steadyFrom;
    Instant steadyTo;
    double cpuSteady;
    List<Double> rss = new ArrayList<>();
    try {
      Bench.awaitReady(daemon, log, 600);
      Instant ready = Instant.now();
      o.put("start_to_ready_s", Bench.round((System.nanoTime() - t0) / 1e9, 2));
      steadyFrom = ready.plus(period).plus(TOLERANCE);
      steadyTo = steadyFrom.plus(period.multipliedBy(periods));
      double cpuAtSteady = -1;
      while (Instant.now().isBefore(steadyTo)) {
        if (cpuAtSteady < 0 && !Instant.now().isBefore(steadyFrom)) {
          cpuAtSteady = Bench.cpuSeconds(daemon.pid());
        }
        rss.add(Bench.rssMb(daemon.pid()));
        if (!daemon.isAlive()) {
          throw new IllegalStateException("daemon exited: " + Files.readString(log));
        }
        Thread.sleep(Math.min(1000, Math.max(1, Duration.between(Instant.now(), steadyTo).toMillis())));
      }
      cpuSteady = Bench.cpuSeconds(daemon.pid()) - cpuAtSteady;
      o.put("live_heap_mb", Bench.round(liveHeapMb(daemon.pid()), 1));
      o.put("rss_mb_max", Bench.round(rss.stream().mapToDouble(Double::doubleValue).max().orElse(-1), 1));
      o.put("rss_mb_end", Bench.round(rss.get(rss.size() - 1), 1));
      o.put("daemon_cpu_percent_of_one_core_steady",
          Bench.round(cpuSteady / Duration.between(steadyFrom, steadyTo).toMillis() * 100_000, 1));
    } finally {
      daemon.destroy();
      if (!daemon.waitFor(60, TimeUnit.SECONDS)) {
        daemon.destroyForcibly();
      }
    }
    Map<String, List<Long>> times = new HashMap<>();
    long failed = 0;
    long catchUpFailed = 0;
    long inWindow = 0;
    try (Connection c = DriverManager.getConnection(Store.h2Url(data), "",
            new String(io.certkeeper.store.StoreSecret.read(data).orElseThrow()));
        PreparedStatement ps = c.prepareStatement("SELECT endpoint_id, probed_at, status FROM probe_results")) {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Instant at = rs.getObject(2, java.time.OffsetDateTime.class).toInstant();
          boolean ok = "ok".equals(rs.getString(3));
          if (at.isBefore(steadyFrom)) {
            catchUpFailed += ok ? 0 : 1;
            continue;
          }
          if (!at.isBefore(steadyTo)) {
            continue;
          }
          inWindow++;
          failed += ok ? 0 : 1;
          times.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(at.toEpochMilli());
        }
      }
    }
    long limit = period.plus(TOLERANCE).toMillis();
    long gaps = 0;
    long extra = 0;
    for (List<Long> t : times.values()) {
      t.sort(null);
      long prev = steadyFrom.toEpochMilli();
      boolean gap = false;
      for (long at : t) {
        gap |= at - prev > limit;
        prev = at;
      }
      gap |= steadyTo.toEpochMilli() - prev > limit;
      gaps += gap ? 1 : 0;
      extra += Math.max(0, t.size() - periods - 1);
    }
    long missing = endpoints - times.size();
    o.put("steady_window_s", Duration.between(steadyFrom, steadyTo).toSeconds());
    o.put("probes_in_window", inWindow);
    o.put("probes_failed_in_window", failed);
    o.put("probes_failed_in_catch_up", catchUpFailed);
    o.put("endpoints_never_probed_in_window", missing);
    o.put("endpoints_with_a_missed_period", gaps + missing);
    o.put("probes_beyond_one_per_period", extra);
    o.put("all_probed_each_period", gaps + missing == 0);
    o.put("probes_per_s", Bench.round(inWindow / (double) Duration.between(steadyFrom, steadyTo).toSeconds(), 1));
    o.put("cpu_ms_per_scheduled_probe", Bench.round(cpuSteady * 1000 / Math.max(1, inWindow), 3));
    System.out.println("daemon " + o);
    return o;
  }
}
