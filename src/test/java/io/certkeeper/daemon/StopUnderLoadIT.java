package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.util.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping the daemon while it works: many loopback endpoints probed every second (some refuse,
 * some accept and never answer), alerts evaluated every second, and a mail in flight to an SMTP
 * server that accepts the connection and never greets. Each stop must exit 0 within the 10 s
 * budget, log one line per part and no stack trace, record {@code stopped}, and leave no H2
 * trace file (H2 writes one when its database breaks).
 */
@Tag("reliability")
class StopUnderLoadIT {
  private static final Duration START = Duration.ofSeconds(90);
  private static final List<String> PARTS = List.of("housekeeping", "listeners", "scheduler", "alert sender",
      "prober", "run record", "store");

  @TempDir Path dir;

  private final List<ServerSocket> servers = new ArrayList<>();
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private final AtomicInteger smtpConnections = new AtomicInteger();

  @BeforeEach
  void load() throws Exception {
    ServerSocket silentTls = silent(new AtomicInteger());
    ServerSocket slowSmtp = silent(smtpConnections);
    StringBuilder y = new StringBuilder();
    y.append("log:\n  level: info\n");
    y.append("scheduler:\n  alert-evaluation: 1s\n  probe-concurrency: 16\n");
    y.append("defaults:\n  cron: \"* * * * * ?\"\n  timeout: 5s\n");
    y.append("alerts:\n  recipients: [ops@example.com]\n  failing-after: 1\n");
    y.append("smtp:\n  host: 127.0.0.1\n  port: ").append(slowSmtp.getLocalPort())
        .append("\n  security: none\n  from: certkeeper@example.com\n  connect-timeout: 30s\n  read-timeout: 60s\n");
    y.append("endpoints:\n");
    for (int i = 0; i < 20; i++) {
      y.append("  - 127.0.0.1:").append(freePort()).append('\n'); // FreePorts never repeats one
    }
    for (int i = 0; i < 5; i++) {
      y.append("  - target: 127.0.0.1:").append(silentTls.getLocalPort()).append("\n    servername: s").append(i)
          .append(".example\n");
    }
    Files.writeString(dir.resolve("certkeeper.yaml"), y.toString());
  }

  @AfterEach
  void closeServers() throws IOException {
    for (Socket s : accepted) {
      s.close();
    }
    for (ServerSocket s : servers) {
      s.close();
    }
  }

  @Test
  void sigtermUnderLoadStopsCleanlyThreeTimesInARow() throws Exception {
    for (int run = 1; run <= 3; run++) {
      stopsCleanly("TERM", run);
    }
  }

  @Test
  void sigintUnderLoadStopsCleanly() throws Exception {
    stopsCleanly("INT", 1);
  }

  @Test
  void sighupWhileStartingOrStoppingIsHarmless() throws Exception {
    try (DaemonProcess d = start()) {
      d.awaitLine(l -> l.contains("Daemon - certkeeper") && l.contains("starting"), START);
      d.signal("HUP");
      d.awaitLine(l -> l.endsWith("Daemon - ready"), START);
      awaitMailInFlight(d, 1);
      d.signal("TERM");
      d.signal("HUP");
      assertStoppedCleanly(d, "HUP while starting and stopping");
    }
  }

  private void stopsCleanly(String signal, int run) throws Exception {
    int before = smtpConnections.get();
    try (DaemonProcess d = start()) {
      d.awaitLine(l -> l.endsWith("Daemon - ready"), START);
      awaitMailInFlight(d, before + 1);
      d.signal(signal);
      assertStoppedCleanly(d, "SIG" + signal + " run " + run);
    }
  }

  private DaemonProcess start() throws IOException {
    return DaemonProcess.start(Map.of(), "--config", dir.resolve("certkeeper.yaml").toString(),
        "--data-dir", dir.resolve("data").toString(), "daemon");
  }

  /** Load is on: probes recorded, an alert written, and its mail stuck on the silent SMTP server. */
  private void awaitMailInFlight(DaemonProcess d, int connections) throws InterruptedException {
    long deadline = System.nanoTime() + START.toNanos();
    while (smtpConnections.get() < connections) {
      assertTrue(System.nanoTime() < deadline, "no SMTP connection within " + START + ":\n" + String.join("\n", d.lines()));
      assertTrue(d.process().isAlive(), "daemon died:\n" + String.join("\n", d.lines()));
      Thread.sleep(50);
    }
  }

  private void assertStoppedCleanly(DaemonProcess d, String what) throws Exception {
    // the 10 s deadline is the assertion: exit within it, not "quickly"
    assertTrue(d.process().waitFor(Daemon.STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS),
        what + ": did not exit within " + Daemon.STOP_DEADLINE + ":\n" + String.join("\n", d.lines()));
    String log = String.join("\n", d.lines());
    assertEquals(0, d.process().exitValue(), what + ": exit code:\n" + log);
    d.awaitLine(l -> l.endsWith("Daemon - stopped"), Duration.ofSeconds(5));
    List<String> lines = d.lines();
    assertFalse(lines.stream().anyMatch(l -> l.startsWith("\tat ") || l.matches("^\\s+at [\\w.$]+\\(.*")),
        what + ": stack trace in the log:\n" + log);
    assertFalse(lines.stream().anyMatch(l -> l.contains("ERROR")), what + ": an ERROR line while stopping:\n" + log);
    // one line per part: stopped, or (the mail stuck on the silent SMTP server) left behind within its budget
    for (String part : PARTS) {
      long n = lines.stream().filter(l -> l.contains("Daemon - " + part + " - stopped")
          || l.contains("Daemon - " + part + " - did not stop within")).count();
      assertEquals(1, n, what + ": '" + part + "' stop lines:\n" + log);
    }
    assertFalse(Files.exists(dir.resolve("data/certkeeper.trace.db")), what + ": H2 wrote a trace file:\n"
        + (Files.exists(dir.resolve("data/certkeeper.trace.db"))
            ? Files.readString(dir.resolve("data/certkeeper.trace.db"), StandardCharsets.UTF_8) : ""));
    DaemonProcess.Result status = DaemonProcess.cli("--config", dir.resolve("certkeeper.yaml").toString(),
        "--data-dir", dir.resolve("data").toString(), "status", "--json");
    assertEquals(0, status.exitCode(), what + ": status: " + status.err());
    JsonNode doc = Json.mapper().readTree(status.out());
    assertEquals("stopped", doc.at("/daemon/state").asText(), what + ": status after the stop: " + doc);
  }

  /** A loopback server that accepts connections and never writes a byte. */
  private ServerSocket silent(AtomicInteger count) throws IOException {
    ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    servers.add(s);
    Thread t = new Thread(() -> {
      while (!s.isClosed()) {
        try {
          accepted.add(s.accept());
          count.incrementAndGet();
        } catch (IOException e) {
          return;
        }
      }
    }, "silent-" + s.getLocalPort());
    t.setDaemon(true);
    t.start();
    return s;
  }

  static int freePort() {
    return io.certkeeper.testing.FreePorts.next();
  }
}
