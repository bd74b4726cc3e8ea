package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.testing.FreePorts;
import io.certkeeper.testing.OpenSsl;
import io.certkeeper.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local CA's OCSP responder end to end: a daemon with an ocsp listener, a pki listener and a
 * TLS listener serving a certificate the local CA issued with {@code ca.ocsp-url}; certkeeper's own
 * prober ({@code certkeeper probe --check-revocation}, another process) reads the responder from
 * the certificate and reports it good, then revoked once {@code certkeeper revoke} (a third
 * process) revoked it, without a reload; {@code openssl ocsp} agrees, with the reason. The daemon's
 * own probes of an endpoint with {@code check-revocation: true} report it {@code revoked} too.
 */
class OcspIT {
  /** The daemon sees a revocation within 2 s; this leaves room for slow, loaded machines. */
  static final Duration SEEN_WITHIN = Duration.ofSeconds(60);

  @TempDir Path dir;

  private String[] args(String... command) {
    return DaemonProcess.in(dir, command);
  }

  private DaemonProcess.Result cli(String... command) throws Exception {
    return DaemonProcess.cliOk(dir, command);
  }

  /** The prober's verdict on the TLS listener, with the OCSP answer its certificate points to. */
  private JsonNode probe(int tlsPort) throws Exception {
    DaemonProcess.Result r = DaemonProcess.cli(args("probe", "127.0.0.1:" + tlsPort, "--servername", "localhost",
        "--ca-file", dir.resolve("root.pem").toString(), "--no-system-trust", "--check-revocation", "--no-store",
        "--json"));
    assertTrue(r.out().startsWith("["), "probe: " + r.err() + r.out());
    return Json.mapper().readTree(r.out()).get(0);
  }

  /** The endpoint's entry in {@code status --json} once its status is {@code want} (or at the deadline). */
  private JsonNode endpointStatus(String id, String want) throws Exception {
    long deadline = System.nanoTime() + SEEN_WITHIN.toNanos();
    JsonNode e = null;
    do {
      for (JsonNode n : Json.mapper().readTree(cli("status", "--json").out()).get("endpoints")) {
        if (n.get("id").asText().equals(id)) {
          e = n;
        }
      }
      if (e != null && e.get("status").asText().equals(want)) {
        return e;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    return e == null ? Json.mapper().createObjectNode().put("status", "absent") : e;
  }

  @Test
  void theProberSeesGoodThenRevokedFromTheResponderTheCertificateNames() throws Exception {
    int ocspPort = FreePorts.next();
    int pkiPort = FreePorts.next();
    int tlsPort = FreePorts.next();
    Files.writeString(dir.resolve("pass"), "a long enough CA passphrase\n");
    Files.writeString(dir.resolve("certkeeper.yaml"), String.join("\n",
        "ca:",
        "  passphrase: 'file:" + dir.resolve("pass") + "'",
        "  ocsp-url: 'http://127.0.0.1:" + ocspPort + "/ocsp'",
        "  issuer-url: 'http://127.0.0.1:" + pkiPort + "/ca.der'",
        "listeners:",
        "  - {name: ocsp, bind: '127.0.0.1:" + ocspPort + "', role: ocsp}",
        "  - {name: pki, bind: '127.0.0.1:" + pkiPort + "', role: pki}",
        "  - name: web",
        "    bind: '127.0.0.1:" + tlsPort + "'",
        "    role: echo",
        "    certificate: {cert-file: server/fullchain.pem, key-file: server/key.pem}",
        ""));
    cli("ca", "init", "--name", "OCSP CA", "--intermediate");
    cli("ca", "export-root", "--out", dir.resolve("root.pem").toString());
    String serial = Json.mapper().readTree(cli("issue", "--cn", "localhost", "--out-dir",
        dir.resolve("server").toString(), "--no-p12", "--json").out()).get("serial").asText();
    String text = OpenSsl.run(dir, "x509", "-in", "server/cert.pem", "-noout", "-ext", "authorityInfoAccess")
        .requireSuccess().output();
    assertTrue(text.contains("OCSP - URI:http://127.0.0.1:" + ocspPort + "/ocsp"), text);
    assertTrue(text.contains("CA Issuers - URI:http://127.0.0.1:" + pkiPort + "/ca.der"), text);

    // the daemon probes the listener too, with the CRLs and OCSP answers its chain names
    Files.writeString(dir.resolve("certkeeper.yaml"), String.join("\n",
        "endpoints:",
        "  - target: '127.0.0.1:" + tlsPort + "'",
        "    servername: localhost",
        "    ca-files: ['" + dir.resolve("root.pem") + "']",
        "    every: 2s",
        "    check-revocation: true",
        ""), java.nio.file.StandardOpenOption.APPEND);
    String endpoint = "127.0.0.1:" + tlsPort + ";sni=localhost";

    try (DaemonProcess d = DaemonProcess.start(Map.of(), args("daemon"))) {
      d.awaitLine(l -> l.endsWith("Daemon - ready"), Duration.ofSeconds(60));
      JsonNode seen = endpointStatus(endpoint, "ok");
      assertEquals("ok", seen.get("status").asText(), seen.toString());
      assertTrue(d.lines().stream().anyMatch(l -> l.contains("issued an OCSP signing certificate")),
          String.join("\n", d.lines()));

      JsonNode good = probe(tlsPort);
      assertEquals("good", good.get("ocsp").asText(), good.toString());
      assertTrue(good.get("validPath").asBoolean(), good.toString());

      cli("revoke", serial, "--reason", "keyCompromise");

      long deadline = System.nanoTime() + SEEN_WITHIN.toNanos();
      JsonNode after = probe(tlsPort);
      while (!after.get("ocsp").asText().equals("revoked") && System.nanoTime() < deadline) {
        after = probe(tlsPort);
      }
      assertEquals("revoked", after.get("ocsp").asText(), after + "\n" + String.join("\n", d.lines()));
      seen = endpointStatus(endpoint, "revoked");
      assertTrue(seen.get("problems").toString().contains("revoked"), seen + "\n" + String.join("\n", d.lines()));
      OpenSsl.Result judged = OpenSsl.run(dir, "ocsp", "-issuer", "server/chain.pem", "-cert", "server/cert.pem",
          "-url", "http://127.0.0.1:" + ocspPort + "/ocsp", "-CAfile", "root.pem", "-resp_text");
      assertTrue(judged.output().contains("Response verify OK"), judged.output());
      assertTrue(judged.output().contains("server/cert.pem: revoked"), judged.output());
      assertTrue(judged.output().contains("Reason: keyCompromise"), judged.output());

      // the responder's own signer is a certificate of the CA like any other
      DaemonProcess.Result listed = cli("list", "--issued", "--json");
      assertTrue(listed.out().contains("ocsp-signer"), listed.out());
    }
  }
}
