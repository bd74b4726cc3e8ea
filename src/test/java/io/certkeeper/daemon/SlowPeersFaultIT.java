package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.testing.OpenSsl;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every peer but two goes silent at once: endpoints and the SMTP server accept TCP connections and
 * never answer. The silent probes end in {@code timeout}, mail delivery times out and backs off,
 * the two healthy endpoints keep their schedule, and the daemon's thread count stays bounded.
 */
@Tag("reliability")
class SlowPeersFaultIT {
  static final int SILENT = 8;
  static final Duration WINDOW = Duration.ofSeconds(20);

  @TempDir Path dir;

  @Test
  void silentEndpointsAndASilentMailServerNeitherStallProbesOfHealthyEndpointsNorGrowThreads() throws Exception {
    List<ServerSocket> silent = new ArrayList<>();
    try (FaultRig rig = new FaultRig(dir)) {
      OpenSsl.selfSigned(dir, "peer", "localhost", 60);
      int healthyA = FaultRig.freePort();
      int healthyB = FaultRig.freePort();
      rig.serve(healthyA, "peer");
      rig.serve(healthyB, "peer");
      // listening sockets nobody accepts from: the kernel completes the TCP handshake, then nothing
      for (int i = 0; i < SILENT + 1; i++) {
        silent.add(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
      }
      StringBuilder endpoints = new StringBuilder();
      for (int i = 0; i < SILENT; i++) {
        endpoints.append("  - localhost:").append(silent.get(i).getLocalPort()).append('\n');
      }
      int smtp = silent.get(SILENT).getLocalPort();
      rig.config("defaults:\n  every: 1s\n  timeout: 2s\n  ca-files: [peer.pem]\n"
          + "scheduler:\n  alert-evaluation: 1s\n"
          + "alerts:\n  recipients: [ops@example.test]\n  failing-after: 1\n"
          + "smtp:\n  host: 127.0.0.1\n  port: " + smtp + "\n  security: none\n  from: certkeeper@example.test\n"
          + "  connect-timeout: 2s\n  read-timeout: 2s\n"
          + "endpoints:\n  - localhost:" + healthyA + "\n  - localhost:" + healthyB + "\n" + endpoints);
      try (DaemonProcess d = rig.startReady()) {
        String a = "localhost:" + healthyA;
        String b = "localhost:" + healthyB;
        String firstSilent = "localhost:" + silent.get(0).getLocalPort();
        FaultRig.await("a timeout result for every silent endpoint", Duration.ofSeconds(60), () -> {
          try {
            int timedOut = 0;
            for (JsonNode e : rig.json("endpoint", "list", "--json")) {
              timedOut += e.get("status").asText().equals("timeout") ? 1 : 0;
            }
            return timedOut == SILENT;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
        FaultRig.await("a mail delivery timing out at the silent SMTP server", Duration.ofSeconds(60), () -> {
          try {
            for (JsonNode del : rig.json("alerts", "--json", "--limit", "1000")) {
              if (del.get("attempts").asInt() > 0 && !del.get("lastError").isNull()) {
                return true;
              }
            }
            return false;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
        int threadsBefore = threads(d);
        Instant from = Instant.now();
        Thread.sleep(WINDOW.toMillis()); // the observation window: what happens during it is judged below
        Instant to = Instant.now();
        int threadsAfter = threads(d);

        for (String healthy : List.of(a, b)) {
          List<Instant> at = probedAt(rig, healthy, from, to);
          // every 1s → about 20 in the window; a quarter of that is generous even with both cores busy
          assertTrue(at.size() >= WINDOW.toSeconds() / 4, healthy + " probed " + at.size() + " times in " + WINDOW
              + " while " + SILENT + " endpoints and the SMTP server were silent");
          assertEquals("ok", rig.json("endpoint", "show", healthy, "--json").get("status").asText(), healthy);
        }
        assertTrue(probedAt(rig, firstSilent, from, to).size() >= 1, firstSilent + " not probed in the window");
        assertTrue(threadsAfter <= threadsBefore + 16 && threadsAfter < 200,
            "daemon threads grew from " + threadsBefore + " to " + threadsAfter + " in " + WINDOW);
        for (JsonNode del : rig.json("alerts", "--json", "--limit", "1000")) {
          assertTrue(!del.get("status").asText().equals("sent"), "a mail was sent to a silent server: " + del);
        }
        d.signal("TERM");
        assertTrue(d.process().waitFor(30, TimeUnit.SECONDS), "daemon did not stop within 30s of TERM with silent peers");
      }
    } finally {
      for (ServerSocket s : silent) {
        s.close();
      }
    }
  }

  private static List<Instant> probedAt(FaultRig rig, String id, Instant from, Instant to) throws Exception {
    List<Instant> at = new ArrayList<>();
    for (JsonNode r : rig.json("endpoint", "history", id, "--limit", "1000", "--json").get("results")) {
      Instant t = Instant.parse(r.get("probedAt").asText()); // whole seconds
      if (!t.isBefore(from.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)) && !t.isAfter(to)) {
        at.add(t);
      }
    }
    return at;
  }

  private static int threads(DaemonProcess d) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + d.pid() + "/status"))) {
      if (line.startsWith("Threads:")) {
        return Integer.parseInt(line.substring("Threads:".length()).trim());
      }
    }
    throw new AssertionError("no Threads: line for pid " + d.pid());
  }
}
