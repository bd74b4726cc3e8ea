package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.testing.AcmeFront;
import io.certkeeper.testing.ExternalTool;
import io.certkeeper.testing.FreePorts;
import io.certkeeper.testing.Pebble;
import io.certkeeper.util.Json;
import io.certkeeper.x509.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What pebble 2.4 cannot show by itself, with {@link AcmeFront} in front of it: the daemon renews
 * an ACME certificate inside the server's suggested window (ARI, RFC 9773), and at once when the
 * server moves that window into the past (once the storm guard's minimum interval, a tenth of the
 * short lifetime here, has passed); a first order refused as rate-limited is not tried again
 * before the server's Retry-After, across a restart, while the listener serves a stand-in. Pebble
 * refuses 30% of nonces here: every order copes with badNonce.
 */
class AcmeRenewalInfoIT {
  static final Duration START = Duration.ofSeconds(90);
  static final Duration CLI = Duration.ofSeconds(120);
  /** Short, so that the storm guard's minimum interval between renewals (a tenth of it) passes within the test. */
  static final Duration LIFETIME = Duration.ofSeconds(240);
  static final Map<String, String> ENV = Map.of("ACME_PASS", "a long enough ACME passphrase");

  @TempDir Path dir;

  @Test
  void renewsInsideTheServersWindowAndWaitsOutItsRateLimit() throws Exception {
    int http = FreePorts.next();
    int tls = FreePorts.next();
    int limitedTls = FreePorts.next();
    try (Pebble pebble = Pebble.start(dir.resolve("pebble"), http, FreePorts.next(),
            Map.of("PEBBLE_WFE_NONCEREJECT", "30"), java.util.Optional.of(LIFETIME));
        AcmeFront front = AcmeFront.start(pebble, 3600)) {
      Instant t0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
      front.window(new AcmeFront.Window(t0.plus(Duration.ofDays(30)), t0.plus(Duration.ofDays(31)), 1, null));
      Path cfg = dir.resolve("certkeeper.yaml");
      Path data = dir.resolve("data");
      Files.writeString(cfg, "scheduler: {renewal-check: 1s}\n"
          + "acme:\n"
          + "  passphrase: env:ACME_PASS\n"
          + "  accounts:\n"
          + "    - {name: front, directory: '" + front.directory() + "', agree-tos: true, ca-files: [" + pebble.tlsCa()
          + "]}\n"
          + "    - {name: limited, directory: '" + front.limitedDirectory() + "', agree-tos: true, ca-files: ["
          + pebble.tlsCa() + "]}\n"
          + "certificates:\n"
          + "  - {name: ari, issuer: 'acme:front', common-name: ari.acme.test}\n"
          + "  - {name: limited, issuer: 'acme:limited', common-name: limited.acme.test}\n"
          + "listeners:\n"
          + "  - {name: http, bind: '127.0.0.1:" + http + "', role: acme-http}\n"
          + "  - {name: web, bind: '127.0.0.1:" + tls + "', role: echo, certificate: {managed: ari}}\n"
          + "  - {name: lim, bind: '127.0.0.1:" + limitedTls + "', role: echo, certificate: {managed: limited}}\n");
      try (DaemonProcess d = DaemonProcess.start(ENV, "--config", cfg.toString(), "--data-dir", data.toString(),
          "daemon")) {
        d.awaitLine(l -> l.endsWith("Daemon - ready"), START);
        Path root = pebble.issuingRoot();
        String first = verifiedSerial(tls, root, "ari.acme.test");

        // the first order of 'limited' was refused as rate-limited: a stand-in is served, the retry waits an hour
        assertEquals(1, front.limitedOrders());
        assertTrue(servedSubject(limitedTls, "limited.acme.test").contains("certkeeper: limited not issued yet"),
            servedSubject(limitedTls, "limited.acme.test"));
        JsonNode limited = explain(cfg, data, "limited");
        assertEquals("backing-off", limited.at("/state").asText(), limited.toString());
        assertEquals(1, limited.at("/consecutiveFailures").asInt());
        assertTrue(limited.at("/lastError").asText().contains("rateLimited: too many new orders recently"),
            limited.toString());
        assertTrue(!Instant.parse(limited.at("/nextAttemptAt").asText()).isBefore(t0.plus(Duration.ofSeconds(3590))),
            "the server's Retry-After: " + limited);

        // ARI: asked for the certificate in force by its ID; the renewal time is chosen inside the window
        X509Certificate inForce = Pem.readCertificates(data.resolve("managed/ari/current/fullchain.pem")).get(0);
        String certId = certId(inForce);
        JsonNode ari = awaitRenewalInfo(cfg, data);
        assertEquals(t0.plus(Duration.ofDays(30)), Instant.parse(ari.at("/renewalInfo/windowStart").asText()));
        Instant renewAt = Instant.parse(ari.at("/renewAt").asText());
        assertTrue(!renewAt.isBefore(t0.plus(Duration.ofDays(30)).minusSeconds(1))
            && !renewAt.isAfter(t0.plus(Duration.ofDays(31))), ari.toString());
        assertEquals("the ACME server's renewal window (ARI)", ari.at("/policy").asText());
        assertTrue(front.renewalInfoAsked().contains(certId), certId + " not in " + front.renewalInfoAsked());

        // the server moves this certificate's window into the past: renewed at the next check, and served
        front.window(certId, new AcmeFront.Window(t0.minus(Duration.ofHours(2)), t0.minus(Duration.ofHours(1)), 1,
            "https://acme.test/incident-42"));
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        String second = first;
        while (second.equals(first) && Instant.now().isBefore(deadline)) {
          Thread.sleep(200);
          second = verifiedSerial(tls, root, "ari.acme.test");
        }
        assertNotEquals(first, second, "renewed once the server's window had passed:\n" + String.join("\n", d.lines()));
        assertTrue(d.lines().stream().anyMatch(l -> l.contains("ari - the ACME server suggests renewing between")
            && l.contains("https://acme.test/incident-42")), "the server's reason is logged");
        assertEquals(1, front.limitedOrders(), "no order before the Retry-After");
      }

      // a restart does not order early either
      try (DaemonProcess d = DaemonProcess.start(ENV, "--config", cfg.toString(), "--data-dir", data.toString(),
          "daemon")) {
        d.awaitLine(l -> l.endsWith("Daemon - ready"), START);
        assertTrue(d.lines().stream().anyMatch(l -> l.contains("limited - first certificate not ordered yet: waiting until")),
            String.join("\n", d.lines()));
        assertEquals(1, front.limitedOrders());
      }
    }
  }

  /** The ARI certificate ID (RFC 9773 4.1): base64url(AKI keyIdentifier) "." base64url(serial). */
  static String certId(X509Certificate c) {
    byte[] aki = AuthorityKeyIdentifier.getInstance(
        ASN1OctetString.getInstance(c.getExtensionValue("2.5.29.35")).getOctets()).getKeyIdentifierObject().getOctets();
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString(aki) + "." + b64.encodeToString(c.getSerialNumber().toByteArray());
  }

  private JsonNode awaitRenewalInfo(Path cfg, Path data) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    JsonNode e = explain(cfg, data, "ari");
    while (e.at("/renewalInfo").isNull() && Instant.now().isBefore(deadline)) {
      Thread.sleep(200);
      e = explain(cfg, data, "ari");
    }
    assertTrue(!e.at("/renewalInfo").isNull(), e.toString());
    return e;
  }

  private JsonNode explain(Path cfg, Path data, String name) throws Exception {
    DaemonProcess.Result r = DaemonProcess.cli(ENV, CLI, cfg, data, "explain", name, "--json");
    assertEquals(0, r.exitCode(), r.out() + r.err());
    return Json.mapper().readTree(r.out());
  }

  private String servedSubject(int port, String name) {
    return ExternalTool.run(dir, "/bin/sh", "-c", "openssl s_client -connect 127.0.0.1:" + port + " -servername "
        + name + " </dev/null 2>/dev/null | openssl x509 -noout -subject").output();
  }

  private String verifiedSerial(int port, Path root, String name) {
    return AcmeChecks.verifiedSerial(dir, port, root, name);
  }
}
