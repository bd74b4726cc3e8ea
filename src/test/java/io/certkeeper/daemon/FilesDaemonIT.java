package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.certkeeper.testing.OpenSsl;
import io.certkeeper.testing.OpenSslServer;
import io.certkeeper.util.Json;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code files:} in a running daemon: the files are rescanned (a new file is seen through the
 * directory watch, long before its hour-long interval), their certificates and problems are mailed
 * once each, a file holding an older certificate for the key an endpoint serves is a stale deploy,
 * and {@code /metrics} counts the deliveries and passes {@code promtool check metrics}.
 */
class FilesDaemonIT {
  @TempDir Path dir;

  private record Http(int status, String body) {}

  private Http curl(int port, String path) throws Exception {
    return curl(port, "GET", path);
  }

  private Http curl(int port, String method, String path) throws Exception {
    Path body = dir.resolve("body-" + System.nanoTime());
    OpenSsl.Result r = OpenSsl.exec(dir, List.of("curl", "-s", "-o", body.toString(), "-w", "%{http_code}",
        "--max-time", "20", "--cacert", dir.resolve("server.pem").toString(), "-H",
        "Authorization: Bearer s3cret-token", "-X", method, "https://localhost:" + port + path));
    String code = r.output().trim();
    return new Http(code.isEmpty() ? 0 : Integer.parseInt(code.substring(Math.max(0, code.length() - 3))),
        Files.exists(body) ? Files.readString(body) : "");
  }

  private static List<String> subjects(GreenMail mail) throws Exception {
    List<String> out = new ArrayList<>();
    for (MimeMessage m : mail.getReceivedMessages()) {
      out.add(m.getSubject());
    }
    return out;
  }

  @Test
  void filesAreWatchedAlertedAndCounted() throws Exception {
    OpenSsl.selfSigned(dir, "server", "localhost", 30);
    // the endpoint serves web.pem; the deployed file holds an older certificate for the same key
    OpenSsl.run(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "web.key", "-out", "web.pem", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
        "-days", "90").requireSuccess();
    Path tls = Files.createDirectories(dir.resolve("tls"));
    OpenSsl.run(dir, "req", "-x509", "-new", "-key", "web.key", "-out", tls.resolve("web.pem").toString(),
        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-days", "20").requireSuccess();
    Files.writeString(dir.resolve("token"), "s3cret-token\n");
    Files.writeString(dir.resolve("ks-pass"), "wrong\n");
    OpenSsl.run(dir, "pkcs12", "-export", "-in", "web.pem", "-inkey", "web.key", "-passout", "pass:right",
        "-out", dir.resolve("partner.p12").toString()).requireSuccess();
    int smtp = FaultRig.freePort();
    int admin = FaultRig.freePort();
    GreenMail mail = new GreenMail(new ServerSetup(smtp, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    mail.start();
    try (OpenSslServer server = OpenSslServer.start(dir, "-cert", dir.resolve("web.pem").toString(),
        "-key", dir.resolve("web.key").toString())) {
      Path cfg = dir.resolve("certkeeper.yaml");
      Files.writeString(cfg, String.join("\n",
          "scheduler: {alert-evaluation: 1s}",
          "endpoints:",
          "  - target: localhost:" + server.port(),
          "    every: 1h",
          "    ca-files: [web.pem]",
          "files:",
          "  - paths: [tls/*.pem]",
          "    rescan: 1h",
          "    owners: [web@example.test]",
          "  - paths: [partner.p12]",
          "    password: file:" + dir.resolve("ks-pass"),
          "listeners:",
          "  - name: admin",
          "    bind: '127.0.0.1:" + admin + "'",
          "    role: admin",
          "    certificate: {cert-file: server.pem, key-file: server.key}",
          "    auth: {token: 'file:" + dir.resolve("token") + "'}",
          "alerts: {recipients: [ops@example.test]}",
          "smtp: {host: 127.0.0.1, port: " + smtp + ", security: none, from: certkeeper@example.test}",
          ""));
      try (DaemonProcess d = DaemonProcess.start(Map.of(), "--config", cfg.toString(), "--data-dir",
          dir.resolve("data").toString(), "daemon")) {
        d.awaitLine(l -> l.endsWith("Daemon - ready"), Duration.ofSeconds(60));
        // the endpoint's first probe now rather than at its phase in the hour
        assertEquals(202, curl(admin, "POST", "/api/v1/endpoints/localhost:" + server.port() + "/probe").status());

        // the 30-day threshold of the file, its stale deploy, and the wrong password: one mail each
        // (the endpoint's own alerts, should a probe time out on a loaded machine, are not counted here)
        List<String> expected = List.of("tls/web.pem #1 certificate expires in 19 days",
            "differs from what localhost:" + server.port() + " serves", "partner.p12: wrong password");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> got = subjects(mail);
        while (System.nanoTime() < deadline
            && !expected.stream().allMatch(e -> got.stream().anyMatch(s -> s.contains(e)))) {
          Thread.sleep(200);
          got.clear();
          got.addAll(subjects(mail));
        }
        assertTrue(expected.stream().allMatch(e -> got.stream().anyMatch(s -> s.contains(e))), got + "\n"
            + String.join("\n", d.lines()) + "\n" + curl(admin, "/api/v1/files").body() + "\n"
            + curl(admin, "/api/v1/endpoints").body());
        assertEquals(1, got.stream().filter(s -> s.contains("tls/web.pem #1 certificate expires in 19 days")).count(),
            got.toString());
        assertEquals(1, got.stream().filter(s -> s.contains("differs from what localhost:" + server.port() + " serves"))
            .count(), got.toString());
        assertEquals(1, got.stream().filter(s -> s.contains("partner.p12: wrong password")).count(), got.toString());

        // a new file in the watched directory is in the inventory within seconds, not at the next hour
        OpenSsl.run(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "new.key", "-out", tls.resolve("new.pem").toString(), "-subj", "/CN=new.example", "-days",
            "200").requireSuccess();
        JsonNode files = null;
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
          Http h = curl(admin, "/api/v1/files");
          assertEquals(200, h.status(), h.body());
          files = Json.mapper().readTree(h.body());
          if (files.size() == 3) {
            break;
          }
          Thread.sleep(200);
        }
        assertEquals(3, files.size(), String.valueOf(files));
        List<String> statuses = new ArrayList<>();
        files.forEach(f -> statuses.add(Path.of(f.get("path").asText()).getFileName() + " " + f.get("status").asText()));
        assertEquals(List.of("partner.p12 problem", "new.pem ok", "web.pem warning"), statuses);

        // the inventory page shows where each certificate is; the detail, the other certificate with its key
        Http page = curl(admin, "/api/v1/inventory?source=file");
        assertEquals(200, page.status(), page.body());
        JsonNode rows = Json.mapper().readTree(page.body()).get("rows");
        assertEquals(2, rows.size(), rows.toString());
        String staleSha = rows.get(0).get("sha256").asText();
        assertTrue(rows.get(0).get("files").get(0).asText().endsWith("tls/web.pem #1"), rows.toString());
        JsonNode detail = Json.mapper().readTree(curl(admin, "/api/v1/inventory/" + staleSha).body());
        assertEquals("localhost:" + server.port(),
            detail.get("sameKey").get(0).get("endpoints").get(0).get("endpoint").asText(), detail.toString());

        // the deliveries are counted in the store, and the exposition passes promtool
        Http metrics = null;
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
          metrics = curl(admin, "/metrics");
          if (metrics.body().contains("certkeeper_alerts_total{event=\"expiry\",result=\"sent\"} 1")) {
            break; // to the file's owner
          }
          Thread.sleep(200);
        }
        assertTrue(metrics.body().contains("certkeeper_alerts_total{event=\"expiry\",result=\"sent\"} 1"),
            metrics.body());
        assertTrue(metrics.body().contains("certkeeper_file_problem{path=\"" + dir.resolve("partner.p12")
            + "\",code=\"wrong_password\"} 1"), metrics.body());
        io.certkeeper.testing.PrometheusText.checkWithPromtool(dir, metrics.body());

        // nothing is mailed twice, also after a rescan by another process
        DaemonProcess.Result again = DaemonProcess.cli("--config", cfg.toString(), "--data-dir",
            dir.resolve("data").toString(), "files", "rescan");
        assertEquals(2, again.exitCode(), again.out() + again.err());
        List<String> all = subjects(mail);
        for (String e : expected) {
          assertEquals(1, all.stream().filter(s -> s.contains(e)).count(), e + " in " + all);
        }

        d.signal("TERM");
        assertTrue(d.process().waitFor(20, TimeUnit.SECONDS));
      }
    } finally {
      mail.stop();
    }
  }
}
