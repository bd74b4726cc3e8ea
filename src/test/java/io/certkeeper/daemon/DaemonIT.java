package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon as users run it: the packaged jar as a child process, signals, a second CLI process. */
class DaemonIT {
  private static final Duration START = Duration.ofSeconds(60);

  @TempDir Path dir;

  private Path config(String yaml) throws Exception {
    Path f = dir.resolve("certkeeper.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  @Test
  void startsAnswersStatusFromASecondProcessAndStopsOnSigterm() throws Exception {
    Path cfg = config("log:\n  level: info\n");
    Path data = dir.resolve("data");
    try (DaemonProcess d = DaemonProcess.start(Map.of(), "--config", cfg.toString(), "--data-dir", data.toString(), "daemon")) {
      d.awaitLine(l -> l.endsWith("Daemon - ready"), START);
      assertTrue(d.lines().stream().anyMatch(l -> l.contains("store ready: jdbc:h2:file:")), d.lines().toString());
      assertTrue(d.lines().stream().anyMatch(l -> l.contains("scheduler started")), d.lines().toString());

      DaemonProcess.Result status = DaemonProcess.cli("--config", cfg.toString(), "--data-dir", data.toString(), "status", "--json");
      assertEquals(0, status.exitCode(), status.err());
      JsonNode doc = Json.mapper().readTree(status.out());
      assertEquals("running", doc.at("/daemon/state").asText());
      assertEquals(d.pid(), doc.at("/daemon/pid").asLong());

      d.signal("TERM");
      assertTrue(d.process().waitFor(10, TimeUnit.SECONDS), "daemon did not stop within 10 s");
      assertEquals(0, d.process().exitValue());
      d.awaitLine(l -> l.endsWith("Daemon - stopped"), Duration.ofSeconds(5));
    }
    DaemonProcess.Result after = DaemonProcess.cli("--config", cfg.toString(), "--data-dir", data.toString(), "status", "--json");
    assertEquals("stopped", Json.mapper().readTree(after.out()).at("/daemon/state").asText());
  }

  @Test
  void reloadsOnSighupAndKeepsRunningOnABadReload() throws Exception {
    Path cfg = config("log:\n  level: info\n");
    Path data = dir.resolve("data");
    try (DaemonProcess d = DaemonProcess.start(Map.of(), "--config", cfg.toString(), "--data-dir", data.toString(), "daemon")) {
      d.awaitLine(l -> l.endsWith("Daemon - ready"), START);

      Files.writeString(cfg, "log:\n  level: debug\n");
      d.signal("HUP");
      d.awaitLine(l -> l.contains("configuration reloaded from " + cfg), Duration.ofSeconds(60));

      Files.writeString(cfg, "log:\n  level: info\nstore:\n  pool-sise: 3\n");
      d.signal("HUP");
      String rejected = d.awaitLine(l -> l.contains("reload rejected"), Duration.ofSeconds(60));
      assertTrue(rejected.contains(cfg + ":4: unknown key 'pool-sise' in store (did you mean 'pool-size'?)"), rejected);
      assertTrue(d.process().isAlive());

      // status reads the daemon's own record although the file no longer loads, says why, and exits 2
      DaemonProcess.Result status = DaemonProcess.cli("--config", cfg.toString(), "--data-dir", data.toString(), "status", "--json");
      assertEquals(2, status.exitCode(), status.err());
      JsonNode doc = Json.mapper().readTree(status.out());
      assertEquals("running", doc.at("/daemon/state").asText());
      assertTrue(doc.at("/daemon/lastReloadError").asText().contains("unknown key 'pool-sise'"), doc.toString());
      assertTrue(doc.at("/configError").asText().startsWith(cfg + ":4: unknown key 'pool-sise'"), doc.toString());
      DaemonProcess.Result human = DaemonProcess.cli("--config", cfg.toString(), "--data-dir", data.toString(), "status");
      assertEquals(2, human.exitCode(), human.err());
      assertTrue(human.out().contains("\n              last reload at "), human.out());
      assertTrue(human.out().contains(" rejected: " + cfg + ":4: unknown key 'pool-sise'"), human.out());
      assertTrue(human.out().contains("\nconfig:       does not load: " + cfg + ":4: unknown key 'pool-sise'"),
          human.out());

      d.signal("TERM");
      assertTrue(d.process().waitFor(10, TimeUnit.SECONDS));
      assertEquals(0, d.process().exitValue());
    }
  }

  @Test
  void aPartThatCannotStartStopsTheDaemonWithExit3() throws Exception {
    Path cfg = config("store:\n  url: jdbc:postgresql://127.0.0.1:1/certkeeper\n");
    try (DaemonProcess d = DaemonProcess.start(Map.of(), "--config", cfg.toString(), "--data-dir", dir.toString(), "daemon")) {
      assertTrue(d.process().waitFor(60, TimeUnit.SECONDS));
      assertEquals(3, d.process().exitValue(), d.lines().toString());
      d.awaitLine(l -> l.contains("ERROR Daemon - store - cannot start: cannot open the store at jdbc:postgresql://127.0.0.1:1/certkeeper"),
          Duration.ofSeconds(5));
    }
  }

  @Test
  void underSystemdLogsCarryJournalPrioritiesAndNoTimestamps() throws Exception {
    Path cfg = config("log:\n  level: info\n");
    try (DaemonProcess d = DaemonProcess.start(Map.of("JOURNAL_STREAM", "8:12345"),
        "--config", cfg.toString(), "--data-dir", dir.resolve("data").toString(), "daemon")) {
      String ready = d.awaitLine(l -> l.endsWith("Daemon - ready"), START);
      assertEquals("<6>Daemon - ready", ready);
      d.signal("INT");
      assertTrue(d.process().waitFor(10, TimeUnit.SECONDS));
      assertEquals(0, d.process().exitValue());
    }
  }

  @Test
  void signalsIgnoredAtStartAreNamedAndSigtermStillStops() throws Exception {
    Path cfg = config("log:\n  level: info\n");
    try (DaemonProcess d = DaemonProcess.startIgnoring("INT,HUP", Map.of(),
        "--config", cfg.toString(), "--data-dir", dir.resolve("data").toString(), "daemon")) {
      d.awaitLine(l -> l.endsWith("Daemon - ready"), START);
      d.awaitLine(l -> l.endsWith("WARN  Signals - SIGINT is ignored (inherited from the process that started certkeeper); "
          + "Ctrl-C and kill -INT do nothing: stop the daemon with SIGTERM"), Duration.ofSeconds(1));
      d.awaitLine(l -> l.endsWith("WARN  Signals - SIGHUP is ignored (inherited from the process that started certkeeper); "
          + "the configuration cannot be reloaded by signal: restart the daemon to reload it"), Duration.ofSeconds(1));
      assertEquals(0, d.lines().stream().filter(l -> l.contains("SIGTERM is ignored")).count(), d.lines().toString());
      d.signal("INT");
      d.signal("HUP");
      d.signal("TERM");
      assertTrue(d.process().waitFor(10, TimeUnit.SECONDS), d.lines().toString());
      assertEquals(0, d.process().exitValue());
      assertEquals(0, d.lines().stream().filter(l -> l.contains("configuration reloaded")).count(), d.lines().toString());
    }
  }

  @Test
  void invalidConfigurationRefusesToStartWithExit2() throws Exception {
    Path cfg = config("stroe: {}\n");
    DaemonProcess.Result r = DaemonProcess.cli("--config", cfg.toString(), "--data-dir", dir.toString(), "daemon");
    assertEquals(2, r.exitCode());
    assertEquals("certkeeper: " + cfg + ":1: unknown key 'stroe' (did you mean 'store'?)\n", r.err());
  }
}
