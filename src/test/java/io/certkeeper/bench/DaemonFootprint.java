package io.certkeeper.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certkeeper.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged daemon, started by {@code scripts/certkeeper} with the JVM options the launchers
 * give the daemon (serial GC, 256 MB heap, the class-data-sharing archive when the build made
 * one): time from start to the "ready" log line, RSS and CPU idle
 * with no endpoints, and with N endpoints (default 10,000) probed every 5 minutes against one
 * loopback {@code openssl s_server} (distinct server names, so distinct endpoints).
 */
public final class DaemonFootprint {
  private DaemonFootprint() {}

  public static void main(String[] args) throws Exception {
    boolean quick = Bench.quick(args);
    Path jar = Path.of("scripts/certkeeper").toAbsolutePath();
    int endpoints = 10_000;
    int idleSeconds = quick ? 5 : 60;
    int loadedSeconds = quick ? 20 : 330;
    ObjectNode out = Bench.section("footprint", quick);
    Path work = Files.createTempDirectory("certkeeper-bench-footprint");
    try {
      Bench.Pki pki = Bench.pki(work.resolve("pki"));
      try (Bench.OpensslServers server = new Bench.OpensslServers(pki, 1)) {
        Path idle = work.resolve("idle.yaml");
        Files.writeString(idle, "scheduler:\n  probe-concurrency: 64\n");
        out.set("idle", run(jar, work, idle, "idle", 0, idleSeconds, server));
        Path loaded = work.resolve("loaded.yaml");
        StringBuilder y = new StringBuilder("scheduler:\n  probe-concurrency: 64\ndefaults:\n  every: 5m\n"
            + "  ca-files: [" + pki.rootCert() + "]\nendpoints:\n");
        for (int i = 1; i <= endpoints; i++) {
          y.append("  - {target: '127.0.0.1:").append(server.ports.get(0)).append("', servername: h").append(i)
              .append(".bench.localhost}\n");
        }
        Files.writeString(loaded, y);
        out.set("endpoints_" + endpoints, run(jar, work, loaded, "loaded", endpoints, loadedSeconds, server));
      }
      out.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
          + ", the launcher's daemon options (scripts/certkeeper: -XX:+UseSerialGC -Xms16m -Xmx256m, CDS)");
      Bench.save(out);
    } finally {
      Bench.deleteTree(work);
    }
  }

  private static ObjectNode run(Path jar, Path work, Path config, String name, int endpoints, int seconds,
      Bench.OpensslServers server) throws Exception {
    Path data = work.resolve("data-" + name);
    Path log = work.resolve(name + ".log");
    long t0 = System.nanoTime();
    Process daemon = new ProcessBuilder(jar.toString(), "--config", config.toString(), "--data-dir",
        data.toString(), "daemon").redirectErrorStream(true).redirectOutput(log.toFile()).start();
    ObjectNode o = io.certkeeper.util.Json.mapper().createObjectNode();
    try {
      Bench.awaitReady(daemon, log, 300);
      double ready = (System.nanoTime() - t0) / 1e9;
      double cpuAtReady = Bench.cpuSeconds(daemon.pid());
      double rssAtReady = Bench.rssMb(daemon.pid());
      double srv0 = server.cpuSeconds();
      long w0 = System.nanoTime();
      List<Double> rss = new ArrayList<>();
      for (int i = 0; i < seconds; i++) {
        Thread.sleep(1000);
        rss.add(Bench.rssMb(daemon.pid()));
      }
      double wall = (System.nanoTime() - w0) / 1e9;
      double cpu = Bench.cpuSeconds(daemon.pid()) - cpuAtReady;
      double srv = server.cpuSeconds() - srv0;
      o.put("endpoints", endpoints);
      o.put("start_to_ready_s", Bench.round(ready, 2));
      o.put("cpu_s_to_ready", Bench.round(cpuAtReady, 2));
      o.put("rss_mb_at_ready", Bench.round(rssAtReady, 1));
      o.put("window_s", Bench.round(wall, 1));
      o.put("rss_mb_end", Bench.round(rss.get(rss.size() - 1), 1));
      o.put("rss_mb_max", Bench.round(rss.stream().mapToDouble(Double::doubleValue).max().orElse(-1), 1));
      o.put("vm_hwm_mb", Bench.round(hwm(daemon.pid()), 1));
      o.put("cpu_percent_of_one_core", Bench.round(cpu / wall * 100, 2));
      o.put("server_cpu_percent_of_one_core", Bench.round(srv / wall * 100, 2));
    } finally {
      daemon.destroy();
      if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
        daemon.destroyForcibly();
      }
    }
    if (endpoints > 0) {
      try (Connection c = DriverManager.getConnection(Store.h2Url(data), "",
              new String(io.certkeeper.store.StoreSecret.read(data).orElseThrow()));
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT COUNT(*), COUNT(DISTINCT endpoint_id),"
              + " SUM(CASE WHEN status = 'ok' THEN 1 ELSE 0 END) FROM probe_results")) {
        rs.next();
        o.put("probes_in_run", rs.getLong(1));
        o.put("endpoints_probed", rs.getLong(2));
        o.put("probes_ok", rs.getLong(3));
      }
    }
    System.out.println(name + " " + o);
    return o;
  }

  private static double hwm(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (Exception e) {
      // gone
    }
    return -1;
  }
}
