package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An admin listener with {@code client-auth: require} over the local CA: a client certificate
 * works until {@code certkeeper revoke} (another process) revokes it, then the next handshake is
 * refused without a reload, a saved session does not bring it back, and a certificate without the
 * client profile never authenticates. Peers are curl and openssl.
 */
@Tag("security")
class ClientRevocationIT {
  @TempDir Path dir;

  private String[] args(String... command) {
    List<String> a = new ArrayList<>(List.of("--config", dir.resolve("certkeeper.yaml").toString(),
        "--data-dir", dir.resolve("data").toString()));
    a.addAll(List.of(command));
    return a.toArray(new String[0]);
  }

  private JsonNode cli(String... command) throws Exception {
    DaemonProcess.Result r = DaemonProcess.cli(args(command));
    assertEquals(0, r.exitCode(), String.join(" ", command) + ": " + r.err() + r.out());
    return r.out().startsWith("{") ? Json.mapper().readTree(r.out()) : null;
  }

  static int freePort() {
    return io.certkeeper.testing.FreePorts.next();
  }

  /** curl's HTTP status with the client certificate in {@code client}; 0 when TLS refused it. */
  private int curl(int port, Path client) throws Exception {
    OpenSsl.Result r = OpenSsl.exec(dir, List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
        "--max-time", "20", "--cacert", dir.resolve("root.pem").toString(),
        "--cert", client.resolve("fullchain.pem").toString(), "--key", client.resolve("key.pem").toString(),
        "https://localhost:" + port + "/api/v1/endpoints"));
    String code = r.output().trim();
    return code.isEmpty() ? 0 : Integer.parseInt(code.substring(Math.max(0, code.length() - 3)));
  }

  /** One TLS 1.2 handshake by openssl with the client certificate, saving or reusing a session. */
  private OpenSsl.Result sClient(int port, Path client, String sessionOption, Path session) throws Exception {
    return OpenSsl.run(dir, "s_client", "-connect", "127.0.0.1:" + port, "-tls1_2",
        "-CAfile", dir.resolve("root.pem").toString(),
        "-cert", client.resolve("cert.pem").toString(), "-cert_chain", client.resolve("chain.pem").toString(),
        "-key", client.resolve("key.pem").toString(), sessionOption, session.toString());
  }

  @Test
  void aRevokedClientIsRefusedAtOnceAndCannotResumeAndAServerCertificateNeverAuthenticates() throws Exception {
    Files.writeString(dir.resolve("pass"), "a long enough CA passphrase\n");
    int port = freePort();
    Files.writeString(dir.resolve("certkeeper.yaml"), String.join("\n",
        "ca:",
        "  passphrase: 'file:" + dir.resolve("pass") + "'",
        "listeners:",
        "  - name: admin",
        "    bind: '127.0.0.1:" + port + "'",
        "    role: admin",
        "    certificate: {cert-file: server/fullchain.pem, key-file: server/key.pem}",
        "    tls: {client-auth: require, client-ca-files: [root.pem]}",
        ""));
    cli("ca", "init", "--name", "Admin CA", "--intermediate");
    cli("ca", "export-root", "--out", dir.resolve("root.pem").toString());
    cli("issue", "--cn", "localhost", "--out-dir", dir.resolve("server").toString());
    String serial = cli("issue", "--cn", "ops@example.com", "--profile", "client", "--out-dir",
        dir.resolve("client").toString(), "--json").get("serial").asText();
    cli("issue", "--cn", "other.example", "--profile", "server", "--out-dir", dir.resolve("server-only").toString());
    Path client = dir.resolve("client");
    Path session = dir.resolve("session.pem");

    try (DaemonProcess d = DaemonProcess.start(Map.of(), args("daemon"))) {
      d.awaitLine(l -> l.endsWith("Daemon - ready"), Duration.ofSeconds(60));
      assertEquals(200, curl(port, client), "a client certificate of the local CA authenticates");
      assertEquals(0, curl(port, dir.resolve("server-only")), "a certificate without clientAuth is refused");
      OpenSsl.Result first = sClient(port, client, "-sess_out", session);
      assertTrue(first.output().contains("Verify return code: 0"), first.output());
      // openssl saves a session only when the server offered a resumable one (a ticket or an ID)
      boolean saved = Files.exists(session);

      cli("revoke", serial);

      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      int status = curl(port, client);
      while (status != 0 && System.nanoTime() < deadline) {
        status = curl(port, client);
      }
      assertEquals(0, status, "the revoked client is refused without SIGHUP\n" + String.join("\n", d.lines()));
      if (saved) {
        OpenSsl.Result resumed = sClient(port, client, "-sess_in", session);
        assertFalse(resumed.output().contains("Reused"), "the saved session is not resumed:\n" + resumed.output());
        assertTrue(resumed.exitCode() != 0 || resumed.output().contains("alert"),
            "the handshake with the revoked certificate fails:\n" + resumed.output());
      } else {
        assertFalse(first.output().contains("TLS session ticket:"), first.output());
      }
    }
  }
}
