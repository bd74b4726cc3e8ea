package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon as a {@code Type=notify} service: a fake $NOTIFY_SOCKET receives what systemd would. */
class SystemdNotifyIT {
  private static final Duration START = Duration.ofSeconds(60);

  @TempDir Path dir;

  private Path config() throws Exception {
    Path f = dir.resolve("certkeeper.yaml");
    Files.writeString(f, "log:\n  level: info\n");
    return f;
  }

  @Test
  void sendsReadyOnceStartedReloadingAroundSighupAndStoppingOnSigterm() throws Exception {
    Path cfg = config();
    try (FakeNotifySocket systemd = new FakeNotifySocket(dir.resolve("notify.sock").toString());
        DaemonProcess d = DaemonProcess.start(Map.of("NOTIFY_SOCKET", systemd.name()),
            "--config", cfg.toString(), "--data-dir", dir.resolve("data").toString(), "daemon")) {
      int ready = systemd.await(m -> m.startsWith("READY=1\n"), 0, START);
      assertEquals(0, ready, "READY=1 is the first message: " + systemd.messages());
      d.awaitLine(l -> l.endsWith("Daemon - ready"), Duration.ofSeconds(5));
      assertTrue(systemd.messages().get(0).contains("\nSTATUS=ready"), systemd.messages().toString());

      d.signal("HUP");
      int reloading = systemd.await(m -> m.startsWith("RELOADING=1\n"), ready + 1, Duration.ofSeconds(60));
      assertTrue(systemd.messages().get(reloading).matches("(?s)RELOADING=1\nMONOTONIC_USEC=\\d+\n.*"),
          systemd.messages().get(reloading));
      systemd.await(m -> m.startsWith("READY=1\n"), reloading + 1, Duration.ofSeconds(60));
      d.awaitLine(l -> l.contains("configuration reloaded"), Duration.ofSeconds(5));

      d.signal("TERM");
      systemd.await(m -> m.startsWith("STOPPING=1"), reloading + 1, Duration.ofSeconds(10));
      assertTrue(d.process().waitFor(10, TimeUnit.SECONDS));
      assertEquals(0, d.process().exitValue());
      assertTrue(systemd.messages().stream().noneMatch(m -> m.startsWith("WATCHDOG=1")),
          "no watchdog pings unless systemd asks for them: " + systemd.messages());
    }
  }

  @Test
  void pingsTheWatchdogAtHalfTheIntervalOnAnAbstractSocket() throws Exception {
    Path cfg = config();
    String name = "@certkeeper-test-" + UUID.randomUUID();
    try (FakeNotifySocket systemd = new FakeNotifySocket(name);
        DaemonProcess d = DaemonProcess.start(Map.of("NOTIFY_SOCKET", name, "WATCHDOG_USEC", "1000000"),
            "--config", cfg.toString(), "--data-dir", dir.resolve("data").toString(), "daemon")) {
      int ready = systemd.await(m -> m.startsWith("READY=1\n"), 0, START);
      // three pings at half the 1 s interval; each must come within the interval systemd allows,
      // however slow the machine (no lower bound: a fast ping is never wrong)
      int first = systemd.await(m -> m.equals("WATCHDOG=1"), ready, Duration.ofSeconds(5));
      systemd.await(m -> m.equals("WATCHDOG=1"), first + 1, Duration.ofSeconds(5));
      systemd.await(m -> m.equals("WATCHDOG=1"), first + 2, Duration.ofSeconds(5));

      d.signal("TERM");
      systemd.await(m -> m.startsWith("STOPPING=1"), ready, Duration.ofSeconds(10));
      assertTrue(d.process().waitFor(10, TimeUnit.SECONDS));
      assertEquals(0, d.process().exitValue());
      List<String> all = systemd.messages();
      assertTrue(all.stream().noneMatch(m -> m.startsWith("ERROR")), all.toString());
    }
  }
}
