package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.testing.OpenSsl;
import io.certkeeper.util.Json;
import java.io.File;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon probing endpoints on loopback on its own schedule, across reloads and kills. */
class EndpointDaemonIT {
  private static final Duration START = Duration.ofSeconds(60);

  @TempDir Path dir;
  private final List<Process> servers = new ArrayList<>();

  @AfterEach
  void stopServers() {
    servers.forEach(Process::destroyForcibly);
  }

  /** {@code openssl s_server} on a fixed loopback port serving {@code name}.pem. */
  private Process serve(int port, String name) throws Exception {
    Process p = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-quiet",
        "-cert", dir.resolve(name + ".pem").toString(), "-key", dir.resolve(name + ".key").toString())
        .redirectErrorStream(true).redirectOutput(new File("/dev/null")).start();
    servers.add(p);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try {
        new Socket(InetAddress.getLoopbackAddress(), port).close();
        return p;
      } catch (java.io.IOException e) {
        Thread.sleep(50);
      }
    }
    throw new AssertionError("s_server did not start on " + port);
  }

  static int freePort() {
    return io.certkeeper.testing.FreePorts.next();
  }

  private JsonNode cli(Path cfg, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("--config", cfg.toString(), "--data-dir", dir.resolve("data").toString()));
    all.addAll(List.of(args));
    DaemonProcess.Result r = DaemonProcess.cli(all.toArray(new String[0]));
    assertEquals(0, r.exitCode(), r.err());
    return Json.mapper().readTree(r.out());
  }

  private JsonNode await(Path cfg, Predicate<JsonNode> done, Duration timeout, String... args) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      last = cli(cfg, args);
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("not reached within " + timeout + ": " + last);
  }

  @Test
  void probesOnScheduleRecordsResultsAndSeesACertificateChange() throws Exception {
    OpenSsl.selfSigned(dir, "first", "localhost", 60);
    OpenSsl.selfSigned(dir, "second", "localhost", 90);
    int port = freePort();
    Process server = serve(port, "first");
    Path cfg = dir.resolve("certkeeper.yaml");
    Files.writeString(cfg, "defaults:\n  every: 1s\n  ca-files: [first.pem, second.pem]\nendpoints:\n  - localhost:" + port + "\n");
    String id = "localhost:" + port;
    try (DaemonProcess d = DaemonProcess.start(Map.of(), "--config", cfg.toString(), "--data-dir",
        dir.resolve("data").toString(), "daemon")) {
      d.awaitLine(l -> l.endsWith("Daemon - ready"), START);
      JsonNode h = await(cfg, n -> n.get("results").size() >= 3, Duration.ofSeconds(30), "endpoint", "history", id, "--json");
      assertEquals("ok", h.at("/results/0/status").asText(), h.toString());

      server.destroyForcibly().waitFor();
      serve(port, "second");
      JsonNode changed = await(cfg, n -> n.get("changes").size() >= 1, Duration.ofSeconds(30), "endpoint", "history", id,
          "--json");
      // The change names the new leaf, which a recorded result served. (Not necessarily the newest
      // result: under load a probe right after the change may time out, and records no leaf.)
      String newSha = changed.at("/changes/0/newSha256").asText();
      boolean served = false;
      for (JsonNode r : changed.get("results")) {
        served |= newSha.equals(r.path("leafSha256").asText());
      }
      assertTrue(served, changed.toString());

      JsonNode status = cli(cfg, "status", "--json");
      assertEquals("ok", status.at("/endpoints/0/status").asText(), status.toString());
      assertTrue(status.at("/endpoints/0/daysLeft").asInt() >= 88, status.toString());
      d.signal("TERM");
      assertTrue(d.process().waitFor(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void killNineAndRestartKeepsOneSlotJobAndProbingGoesOn() throws Exception {
    OpenSsl.selfSigned(dir, "cert", "localhost", 60);
    int port = freePort();
    serve(port, "cert");
    Path cfg = dir.resolve("certkeeper.yaml");
    Files.writeString(cfg, "defaults:\n  every: 1s\n  ca-files: [cert.pem]\nendpoints:\n  - localhost:" + port
        + "\n  - target: 127.0.0.1:" + port + "\n    servername: localhost\n");
    String id = "localhost:" + port;
    try (DaemonProcess d = DaemonProcess.start(Map.of(), "--config", cfg.toString(), "--data-dir",
        dir.resolve("data").toString(), "daemon")) {
      d.awaitLine(l -> l.endsWith("Daemon - ready"), START);
      await(cfg, n -> n.get("results").size() >= 2, Duration.ofSeconds(30), "endpoint", "history", id, "--json");
      d.process().destroyForcibly().waitFor(); // kill -9
    }
    int before = cli(cfg, "endpoint", "history", id, "--json").get("results").size();
    try (DaemonProcess d = DaemonProcess.start(Map.of(), "--config", cfg.toString(), "--data-dir",
        dir.resolve("data").toString(), "daemon")) {
      d.awaitLine(l -> l.endsWith("Daemon - ready"), START);
      JsonNode jobs = cli(cfg, "schedule", "--json");
      long probes = 0;
      long slots = 0;
      for (JsonNode j : jobs) {
        probes += j.get("kind").asText().equals("probe") ? 1 : 0;
        slots += j.get("name").asText().startsWith("probe-slots-") ? 1 : 0;
      }
      assertEquals(2, probes, jobs.toString());
      assertEquals(io.certkeeper.schedule.EndpointScheduler.PARTITIONS, slots, jobs.toString());
      // two endpoints, the probe slots of each partition, housekeeping, alert evaluation (no managed
      // certificates: no renewal check)
      assertEquals(2 + io.certkeeper.schedule.EndpointScheduler.PARTITIONS + 2, jobs.size(), jobs.toString());
      await(cfg, n -> n.get("results").size() >= before + 2, Duration.ofSeconds(30), "endpoint", "history", id, "--json");
      d.signal("TERM");
      assertTrue(d.process().waitFor(10, TimeUnit.SECONDS));
      assertEquals(0, d.process().exitValue());
    }
  }

  @Test
  void sighupAddsAndRemovesConfiguredEndpointsAndKeepsTheirHistory() throws Exception {
    OpenSsl.selfSigned(dir, "cert", "localhost", 60);
    int port = freePort();
    serve(port, "cert");
    Path cfg = dir.resolve("certkeeper.yaml");
    Files.writeString(cfg, "defaults:\n  every: 1s\n  ca-files: [cert.pem]\nendpoints:\n  - localhost:" + port + "\n");
    try (DaemonProcess d = DaemonProcess.start(Map.of(), "--config", cfg.toString(), "--data-dir",
        dir.resolve("data").toString(), "daemon")) {
      d.awaitLine(l -> l.endsWith("Daemon - ready"), START);
      await(cfg, n -> n.get("results").size() >= 1, Duration.ofSeconds(30), "endpoint", "history", "localhost:" + port, "--json");

      Files.writeString(cfg, "defaults:\n  every: 1s\n  ca-files: [cert.pem]\nendpoints:\n  - target: 127.0.0.1:" + port
          + "\n    servername: localhost\n");
      d.signal("HUP");
      d.awaitLine(l -> l.contains("configuration reloaded"), Duration.ofSeconds(60));
      JsonNode list = cli(cfg, "endpoint", "list", "--json");
      assertEquals(1, list.size(), list.toString());
      assertEquals("127.0.0.1:" + port + ";sni=localhost", list.get(0).get("id").asText());
      await(cfg, n -> n.get("results").size() >= 1, Duration.ofSeconds(30), "endpoint", "history",
          "127.0.0.1:" + port + ";sni=localhost", "--json");
      // the removed endpoint's history stays
      assertTrue(cli(cfg, "endpoint", "history", "localhost:" + port, "--json").get("results").size() >= 1);
      d.signal("TERM");
      assertTrue(d.process().waitFor(10, TimeUnit.SECONDS));
    }
  }
}
