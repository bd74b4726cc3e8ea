package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.OpenSsl;
import io.certkeeper.testing.OpenSslServer;
import io.certkeeper.testing.PrometheusText;
import io.certkeeper.x509.Pem;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code certkeeper metrics} from a second process while the daemon probes real endpoints on loopback. */
class MetricsIT {
  @TempDir Path dir;

  @Test
  void metricsFromASecondProcessShowWhatTheDaemonProbed() throws Exception {
    X509Certificate cert = Pem.readCertificates(OpenSsl.selfSigned(dir, "cert", "localhost", 45)).get(0);
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    try (OpenSslServer server = OpenSslServer.start(dir, "-cert", dir.resolve("cert.pem").toString(),
        "-key", dir.resolve("cert.key").toString())) {
      String up = "localhost:" + server.port();
      String down = "localhost:" + closed;
      Path cfg = dir.resolve("certkeeper.yaml");
      Files.writeString(cfg, "defaults:\n  every: 1s\n  ca-files: [cert.pem]\nendpoints:\n  - " + up + "\n  - " + down + "\n");
      try (DaemonProcess d = DaemonProcess.start(Map.of(), "--config", cfg.toString(), "--data-dir",
          dir.resolve("data").toString(), "daemon")) {
        d.awaitLine(l -> l.endsWith("Daemon - ready"), Duration.ofSeconds(60));
        Map<String, PrometheusText.Family> m = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
          DaemonProcess.Result r = DaemonProcess.cli("--config", cfg.toString(), "--data-dir",
              dir.resolve("data").toString(), "metrics");
          assertEquals(0, r.exitCode(), r.err());
          m = PrometheusText.parse(r.out());
          if (m.get("certkeeper_probe_success").samples().size() == 2) {
            break;
          }
          Thread.sleep(500);
        }
        PrometheusText.Family success = m.get("certkeeper_probe_success");
        assertEquals(1.0, success.value(Map.of("endpoint", up)), success.toString());
        assertEquals(0.0, success.value(Map.of("endpoint", down)), success.toString());
        assertEquals(1.0, m.get("certkeeper_probe_problems").value(Map.of("endpoint", down, "code", "refused")));
        assertTrue(m.get("certkeeper_probe_problems").find(Map.of("endpoint", up)).isEmpty(), "no problems on " + up);

        long notAfter = cert.getNotAfter().toInstant().getEpochSecond();
        Map<String, String> leaf = Map.of("endpoint", up, "source", "observed", "issuer", "localhost",
            "serial", cert.getSerialNumber().toString(16));
        assertEquals(notAfter, m.get("certkeeper_certificate_not_after_timestamp_seconds").value(leaf));
        assertEquals(cert.getNotBefore().toInstant().getEpochSecond(),
            m.get("certkeeper_certificate_not_before_timestamp_seconds").value(leaf));
        assertEquals(notAfter, m.get("certkeeper_endpoint_verified_chain_not_after_timestamp_seconds")
            .value(Map.of("endpoint", up)));
        double took = m.get("certkeeper_probe_duration_seconds").value(Map.of("endpoint", up));
        assertTrue(took >= 0 && took < 10, "duration " + took);

        d.signal("TERM");
        assertTrue(d.process().waitFor(10, TimeUnit.SECONDS));
      }
    }
  }
}
