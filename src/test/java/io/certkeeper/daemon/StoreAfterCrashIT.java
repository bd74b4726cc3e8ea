package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a daemon is killed with SIGKILL, its store.server file is left over; a new daemon and CLI
 * commands started at the same moment race for the store. Every one of them must get it: a command
 * that meets another process holding the file waits and says so, it does not fail, and a command
 * that took the file first never serves it to the others.
 */
@Tag("reliability")
class StoreAfterCrashIT {
  private static final Duration START = Duration.ofSeconds(90);
  private static final int COMMANDS = 8;

  @TempDir Path dir;

  @Test
  void commandsStartedWithANewDaemonAfterAKillAllSucceed() throws Exception {
    Path cfg = dir.resolve("certkeeper.yaml");
    Files.writeString(cfg, "log:\n  level: info\n");
    String data = dir.resolve("data").toString();
    try (DaemonProcess first = DaemonProcess.start(Map.of(), "--config", cfg.toString(), "--data-dir", data, "daemon")) {
      first.awaitLine(l -> l.endsWith("Daemon - ready"), START);
      first.signal("KILL");
      assertTrue(first.process().waitFor(30, TimeUnit.SECONDS), "SIGKILL did not end the daemon");
    }
    assertTrue(Files.exists(dir.resolve("data/" + io.certkeeper.store.StoreServer.FILE)),
        "the killed daemon leaves its server file");

    ExecutorService pool = Executors.newFixedThreadPool(COMMANDS);
    try (DaemonProcess second = DaemonProcess.start(Map.of(), "--config", cfg.toString(), "--data-dir", data, "daemon")) {
      List<Future<DaemonProcess.Result>> runs = new ArrayList<>();
      for (int i = 0; i < COMMANDS; i++) {
        String[] args = i % 2 == 0
            ? new String[] {"--config", cfg.toString(), "--data-dir", data, "status", "--json"}
            : new String[] {"--config", cfg.toString(), "--data-dir", data, "list"};
        // nine JVMs start at once here: on a loaded 2-core machine that alone takes a minute
        runs.add(pool.submit(() -> DaemonProcess.cli(Map.of(), Duration.ofSeconds(180), List.of(args))));
      }
      for (int i = 0; i < COMMANDS; i++) {
        DaemonProcess.Result r = runs.get(i).get(200, TimeUnit.SECONDS);
        assertEquals(0, r.exitCode(), "command " + i + " failed: " + r.err());
        assertTrue(r.err().isEmpty() || r.err().equals(
            "certkeeper: waiting for the store (held by another command, or a daemon starting or stopping)\u2026\n"),
            "command " + i + " stderr: " + r.err());
      }
      second.awaitLine(l -> l.endsWith("Daemon - ready") || l.contains("cannot start"), START);
      assertTrue(second.lines().stream().anyMatch(l -> l.endsWith("Daemon - ready")),
          "the new daemon started:\n" + String.join("\n", second.lines()));
      second.signal("TERM");
      assertTrue(second.process().waitFor(Daemon.STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS),
          "the new daemon did not stop within " + Daemon.STOP_DEADLINE);
      assertEquals(0, second.process().exitValue());
    } finally {
      pool.shutdownNow();
    }
  }
}
