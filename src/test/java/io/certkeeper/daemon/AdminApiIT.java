package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.testing.OpenSsl;
import io.certkeeper.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API of a real daemon over HTTPS, called with curl: token, mTLS, refusals. */
class AdminApiIT {
  @TempDir Path dir;

  static int freePort() {
    return io.certkeeper.testing.FreePorts.next();
  }

  /** curl's HTTP status and body. */
  private record Http(int status, String body) {}

  private Http curl(int port, String method, String path, String... extra) throws Exception {
    Path body = dir.resolve("body-" + System.nanoTime());
    List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-o", body.toString(), "-w", "%{http_code}",
        "--max-time", "20", "--cacert", dir.resolve("server.pem").toString(), "-X", method));
    cmd.addAll(List.of(extra));
    cmd.add("https://localhost:" + port + path);
    OpenSsl.Result r = OpenSsl.exec(dir, cmd);
    String code = r.output().trim();
    return new Http(code.isEmpty() ? 0 : Integer.parseInt(code.substring(Math.max(0, code.length() - 3))),
        Files.exists(body) ? Files.readString(body) : "");
  }

  @Test
  void endpointsAnswerWithTokenOrClientCertificateAndRefuseOthers() throws Exception {
    OpenSsl.selfSigned(dir, "server", "localhost", 30);
    // a client certificate must carry the client profile (clientAuth) to authenticate
    OpenSsl.run(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "client.key", "-out", "client.pem", "-subj", "/CN=client.example",
        "-addext", "subjectAltName=DNS:client.example", "-addext", "extendedKeyUsage=clientAuth",
        "-days", "30").requireSuccess();
    OpenSsl.selfSigned(dir, "stranger", "stranger.example", 30);
    Files.writeString(dir.resolve("token"), "s3cret-token\n");
    int token = freePort();
    int mtls = freePort();
    Path cfg = dir.resolve("certkeeper.yaml");
    Files.writeString(cfg, String.join("\n",
        "endpoints:",
        "  - target: 127.0.0.1:1",
        "    every: 1h",
        "listeners:",
        "  - name: admin",
        "    bind: '127.0.0.1:" + token + "'",
        "    role: admin",
        "    certificate: {cert-file: server.pem, key-file: server.key}",
        "    auth: {token: 'file:" + dir.resolve("token") + "'}",
        "  - name: admin-mtls",
        "    bind: '127.0.0.1:" + mtls + "'",
        "    role: admin",
        "    certificate: {cert-file: server.pem, key-file: server.key}",
        "    tls: {client-auth: require, client-ca-files: [client.pem]}",
        ""));
    try (DaemonProcess d = DaemonProcess.start(Map.of(), "--config", cfg.toString(), "--data-dir",
        dir.resolve("data").toString(), "daemon")) {
      d.awaitLine(l -> l.endsWith("Daemon - ready"), Duration.ofSeconds(60));
      String bearer = "Authorization: Bearer s3cret-token";

      assertEquals(200, curl(token, "GET", "/healthz").status());
      assertEquals(200, curl(token, "GET", "/readyz").status());
      Http noAuth = curl(token, "GET", "/api/v1/endpoints");
      assertEquals(401, noAuth.status());
      assertTrue(noAuth.body().contains("\"error\""), noAuth.body());
      assertEquals(403, curl(token, "GET", "/api/v1/endpoints", "-H", "Authorization: Bearer wrong").status());

      Http endpoints = curl(token, "GET", "/api/v1/endpoints", "-H", bearer);
      assertEquals(200, endpoints.status(), endpoints.body());
      JsonNode list = Json.mapper().readTree(endpoints.body());
      assertEquals("127.0.0.1:1", list.get(0).get("id").asText());
      // the same shape as the CLI's --json
      DaemonProcess.Result cli = DaemonProcess.cli("--config", cfg.toString(), "--data-dir", dir.resolve("data").toString(),
          "endpoint", "list", "--json");
      assertEquals(Json.mapper().readTree(cli.out()).get(0).fieldNames().next(), list.get(0).fieldNames().next());
      assertEquals(iterToList(Json.mapper().readTree(cli.out()).get(0).fieldNames()), iterToList(list.get(0).fieldNames()));

      assertEquals(202, curl(token, "POST", "/api/v1/endpoints/127.0.0.1:1/probe", "-H", bearer).status());
      JsonNode history = null;
      for (int i = 0; i < 100; i++) {
        history = Json.mapper().readTree(curl(token, "GET", "/api/v1/endpoints/127.0.0.1:1/history", "-H", bearer).body());
        if (history.get("results").size() > 0) {
          break;
        }
        Thread.sleep(200);
      }
      assertEquals("refused", history.at("/results/0/status").asText(), history.toString());
      assertEquals(404, curl(token, "GET", "/api/v1/endpoints/nope:1", "-H", bearer).status());
      assertEquals(400, curl(token, "GET", "/api/v1/certificates?expiring-within=soon", "-H", bearer).status());
      Http certs = curl(token, "GET", "/api/v1/certificates?expiring-within=30d&source=observed", "-H", bearer);
      assertEquals(200, certs.status(), certs.body());
      assertEquals(200, curl(token, "GET", "/api/v1/alerts", "-H", bearer).status());
      assertEquals(401, curl(token, "GET", "/metrics").status());
      Http metrics = curl(token, "GET", "/metrics", "-H", bearer);
      assertEquals(200, metrics.status());
      assertTrue(metrics.body().contains("certkeeper_build_info{"), metrics.body());
      assertTrue(metrics.body().contains("certkeeper_probe_success{"), metrics.body());
      io.certkeeper.testing.PrometheusText.parse(metrics.body());
      assertEquals(400, curl(token, "DELETE", "/api/v1/endpoints", "-H", bearer).status());

      Http mtlsOk = curl(mtls, "GET", "/api/v1/endpoints", "--cert", dir.resolve("client.pem").toString(),
          "--key", dir.resolve("client.key").toString());
      assertEquals(200, mtlsOk.status(), mtlsOk.body());
      assertEquals(0, curl(mtls, "GET", "/api/v1/endpoints").status(), "no client certificate: handshake refused");
      assertEquals(0, curl(mtls, "GET", "/api/v1/endpoints", "--cert", dir.resolve("stranger.pem").toString(),
          "--key", dir.resolve("stranger.key").toString()).status(), "a certificate from another CA: refused");

      d.signal("TERM");
      assertTrue(d.process().waitFor(10, TimeUnit.SECONDS));
    }
  }

  private static List<String> iterToList(java.util.Iterator<String> it) {
    List<String> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}
