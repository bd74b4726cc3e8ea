package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.testing.OpenSsl;
import io.certkeeper.util.Json;
import io.certkeeper.x509.Fingerprints;
import io.certkeeper.x509.Pem;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's own listeners, judged by openssl s_client: echo, proxy, client-auth, reload. */
class ListenerDaemonIT {
  @TempDir Path dir;

  static int freePort() {
    return io.certkeeper.testing.FreePorts.next();
  }

  /** openssl s_client sends {@code input} and prints what comes back; returns all output. */
  private OpenSsl.Result sClient(int port, String input, String... extra) throws Exception {
    Path in = dir.resolve("in-" + System.nanoTime());
    Files.writeString(in, input);
    List<String> cmd = new java.util.ArrayList<>(List.of("sh", "-c",
        "(cat " + in + "; sleep 1) | openssl s_client -connect 127.0.0.1:" + port + " -servername localhost"
            + " -CAfile " + dir.resolve("trust.pem") + " -verify_return_error -quiet -no_ign_eof " + String.join(" ", extra)));
    return OpenSsl.exec(dir, cmd);
  }

  @Test
  void echoProxyAndClientAuthListenersServeAndReloadWithoutARestart() throws Exception {
    OpenSsl.selfSigned(dir, "server", "localhost", 30);
    OpenSsl.selfSignedClient(dir, "client", "client.example", 30);
    OpenSsl.selfSigned(dir, "server2", "localhost", 60);
    Files.writeString(dir.resolve("trust.pem"),
        Files.readString(dir.resolve("server.pem")) + Files.readString(dir.resolve("server2.pem")));
    int echo = freePort();
    int proxy = freePort();
    int mtls = freePort();
    // a plain TCP backend that answers "backend:" + the line it got
    ServerSocket backend = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      while (!backend.isClosed()) {
        try (Socket s = backend.accept()) {
          InputStream in = s.getInputStream();
          OutputStream out = s.getOutputStream();
          StringBuilder line = new StringBuilder();
          int c;
          while ((c = in.read()) != -1 && c != '\n') {
            line.append((char) c);
          }
          out.write(("backend:" + line + "\n").getBytes(StandardCharsets.UTF_8));
          out.flush();
        } catch (Exception e) {
          return;
        }
      }
    });
    t.setDaemon(true);
    t.start();
    Path cfg = dir.resolve("certkeeper.yaml");
    Files.writeString(cfg, String.join("\n",
        "listeners:",
        "  - {name: echo, bind: '127.0.0.1:" + echo + "', role: echo, certificate: {cert-file: server.pem, key-file: server.key}}",
        "  - name: proxy",
        "    bind: " + proxy,
        "    role: proxy",
        "    backend: 127.0.0.1:" + backend.getLocalPort(),
        "    certificate: {cert-file: server.pem, key-file: server.key}",
        "  - name: mtls",
        "    bind: '127.0.0.1:" + mtls + "'",
        "    role: echo",
        "    certificate: {cert-file: server.pem, key-file: server.key}",
        "    tls: {client-auth: require, client-ca-files: [client.pem]}",
        ""));
    try (DaemonProcess d = DaemonProcess.start(Map.of(), "--config", cfg.toString(), "--data-dir",
        dir.resolve("data").toString(), "daemon")) {
      d.awaitLine(l -> l.endsWith("Daemon - ready"), Duration.ofSeconds(60));

      OpenSsl.Result e = sClient(echo, "hello echo\n");
      assertTrue(e.output().contains("hello echo"), e.output());
      OpenSsl.Result p = sClient(proxy, "hello proxy\n");
      assertTrue(p.output().contains("backend:hello proxy"), p.output());

      OpenSsl.Result refused = sClient(mtls, "no cert\n");
      assertTrue(!refused.output().contains("no cert") || refused.exitCode() != 0, refused.output());
      OpenSsl.Result accepted = sClient(mtls, "with cert\n", "-cert", dir.resolve("client.pem").toString(),
          "-key", dir.resolve("client.key").toString());
      assertTrue(accepted.output().contains("with cert"), accepted.output());

      // replace the echo listener's files on disk: it reloads without a restart
      String before = Fingerprints.sha256(Pem.readCertificates(dir.resolve("server.pem")).get(0));
      String after = Fingerprints.sha256(Pem.readCertificates(dir.resolve("server2.pem")).get(0));
      Files.copy(dir.resolve("server2.key"), dir.resolve("server.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.copy(dir.resolve("server2.pem"), dir.resolve("server.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      d.awaitLine(l -> l.contains("echo - now serving " + after), Duration.ofSeconds(60));
      assertNotEquals(before, after);
      JsonNode status = Json.mapper().readTree(DaemonProcess.cli("--config", cfg.toString(), "--data-dir",
          dir.resolve("data").toString(), "status", "--json").out());
      JsonNode echoState = null;
      for (JsonNode l : status.get("listeners")) {
        if (l.get("name").asText().equals("echo")) {
          echoState = l;
        }
      }
      assertEquals(after, echoState.get("sha256").asText(), status.toString());
      assertEquals(after, echoState.get("verifiedSha256").asText(), status.toString());
      OpenSsl.Result e2 = sClient(echo, "after reload\n");
      assertTrue(e2.output().contains("after reload"), e2.output());

      // a broken file keeps the new certificate serving and is recorded
      Files.writeString(dir.resolve("server.pem"), "-----BEGIN CERTIFICATE-----\ngarbage\n");
      d.awaitLine(l -> l.contains("echo - reload refused"), Duration.ofSeconds(60));
      OpenSsl.Result e3 = sClient(echo, "still serving\n");
      assertTrue(e3.output().contains("still serving"), e3.output());

      d.signal("TERM");
      assertTrue(d.process().waitFor(10, TimeUnit.SECONDS));
      assertEquals(0, d.process().exitValue());
    } finally {
      backend.close();
    }
  }
}
