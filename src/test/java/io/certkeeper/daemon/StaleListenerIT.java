package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.testing.ExternalTool;
import io.certkeeper.util.Json;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The closed loop after a renewal, in the packaged daemon: a listener is called stale (ERROR line,
 * {@code stale_listener} alert) only when it still serves the old certificate after its grace;
 * never because it had not started yet, nor because the CLI renewed before the daemon reloaded.
 */
@Tag("reliability")
class StaleListenerIT {
  /** Generous upper bounds: two loaded cores, JVM starts. */
  static final Duration START = Duration.ofSeconds(90);
  static final Duration SETTLE = Duration.ofSeconds(60);
  static final Map<String, String> ENV = Map.of("CA_PASS", "a long enough CA passphrase");

  @TempDir Path dir;
  Path cfg;
  Path data;
  int port;

  /** A managed certificate {@code web} of {@code keyType}, served by listener {@code echo} with {@code tls}. */
  void configure(String keyType, String tls) throws Exception {
    Files.writeString(cfg, "ca:\n  passphrase: env:CA_PASS\n"
        + "alerts:\n  recipients: [ops@example.com]\n"
        + "certificates:\n"
        + "  - name: web\n"
        + "    common-name: localhost\n"
        + "    validity: 30d\n"
        + "    key-type: " + keyType + "\n"
        + "listeners:\n"
        + "  - name: echo\n"
        + "    bind: 127.0.0.1:" + port + "\n"
        + "    role: echo\n"
        + "    certificate: {managed: web}\n"
        + tls);
  }

  void setUp(String keyType, String tls) throws Exception {
    data = dir.resolve("data");
    cfg = dir.resolve("certkeeper.yaml");
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    configure(keyType, tls);
    DaemonProcess.Result init = cli("ca", "init", "--name", "IT CA");
    assertEquals(0, init.exitCode(), init.err());
  }

  DaemonProcess.Result cli(String... args) throws Exception {
    return DaemonProcess.cli(ENV, java.time.Duration.ofSeconds(90), cfg, data, args);
  }

  DaemonProcess daemon() throws Exception {
    return DaemonProcess.start(ENV, "--config", cfg.toString(), "--data-dir", data.toString(), "daemon");
  }

  /** The SHA-256 of the leaf the listener serves, as openssl s_client sees it; empty when it cannot tell. */
  String served() {
    ExternalTool.Result r = ExternalTool.run(dir, "/bin/sh", "-c",
        "openssl s_client -connect 127.0.0.1:" + port + " -servername localhost </dev/null 2>/dev/null"
            + " | openssl x509 -noout -fingerprint -sha256");
    String out = r.output().trim();
    int eq = out.indexOf('=');
    return !r.ok() || eq < 0 ? "" : out.substring(eq + 1).replace(":", "").toLowerCase(Locale.ROOT);
  }

  /** The SHA-256 of a certificate file, as openssl computes it. */
  String fingerprint(Path cert) {
    ExternalTool.Result r = ExternalTool.run(dir, "openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in",
        cert.toString());
    assertTrue(r.ok(), r.output());
    return r.output().trim().substring(r.output().trim().indexOf('=') + 1).replace(":", "").toLowerCase(Locale.ROOT);
  }

  /** Polls what the listener serves until it is {@code sha256}; fails with the last answer after {@code timeout}. */
  void awaitServed(String sha256, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = served();
    while (!last.equals(sha256) && System.nanoTime() < deadline) {
      Thread.sleep(200);
      last = served();
    }
    assertEquals(sha256, last, "listener echo on port " + port + " after " + timeout);
  }

  /** The kinds of every alert in the outbox. */
  List<String> alertKinds() throws Exception {
    DaemonProcess.Result r = cli("alerts", "--json");
    assertEquals(0, r.exitCode(), r.err());
    List<String> kinds = new ArrayList<>();
    for (JsonNode e : Json.mapper().readTree(r.out())) {
      kinds.add(e.at("/kind").asText());
    }
    return kinds;
  }

  static List<String> errors(List<String> lines) {
    return lines.stream().filter(l -> l.contains(" ERROR ") || l.startsWith("ERROR")).toList();
  }

  static String sha256Line(String renewOutput) {
    return renewOutput.lines().filter(l -> l.startsWith("sha256:")).findFirst()
        .map(l -> l.substring("sha256:".length()).trim()).orElseThrow(() -> new AssertionError(renewOutput));
  }

  @Test
  void aFreshStartIssuingTheCertificateOfAListenerRaisesNoStaleListenerAlarm() throws Exception {
    setUp("ec-p256", "");
    try (DaemonProcess d = daemon()) {
      d.awaitLine(l -> l.endsWith("Daemon - ready"), START);
      String first = fingerprint(data.resolve("managed/web/current/cert.pem"));
      awaitServed(first, SETTLE);
      assertEquals(List.of(), errors(d.lines()));
      assertFalse(alertKinds().contains("stale_listener"), "no stale_listener alert at first start");
      // the first check came once the listener was up: it saw the certificate issued before it started
      d.awaitLine(l -> l.contains("web - listener echo serves the certificate in force " + first), SETTLE);
    }
  }

  @Test
  void aForcedRenewalByTheCliWhileTheDaemonRunsIsServedWithoutAFalseAlarm() throws Exception {
    setUp("ec-p256", "");
    try (DaemonProcess d = daemon()) {
      d.awaitLine(l -> l.endsWith("Daemon - ready"), START);
      String before = served();

      DaemonProcess.Result r = cli("renew", "web", "--force");
      assertEquals(0, r.exitCode(), r.err());
      String renewed = sha256Line(r.out());
      assertNotEquals(before, renewed);
      assertEquals(List.of(), errors(r.err().lines().toList()), "the CLI judges no listener of the daemon");

      awaitServed(renewed, SETTLE);
      // the daemon judged its own listener after its file watcher reloaded it
      d.awaitLine(l -> l.contains("web - listener echo serves the certificate in force " + renewed), SETTLE);
      assertEquals(List.of(), errors(d.lines()));
      assertFalse(alertKinds().contains("stale_listener"), "no stale_listener alert for a listener that reloaded");
    }
  }

  @Test
  void aListenerThatRefusesTheRenewedCertificateIsReportedStaleAfterItsGrace() throws Exception {
    // the listener accepts only RSA suites; the certificate is then switched to an EC key, which it cannot serve
    String rsaOnly = "    tls: {protocols: [TLSv1.2], ciphers: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]}\n";
    setUp("rsa-2048", rsaOnly);
    try (DaemonProcess d = daemon()) {
      d.awaitLine(l -> l.endsWith("Daemon - ready"), START);
      String old = served();
      assertFalse(old.isEmpty(), "the listener serves the RSA certificate");

      configure("ec-p256", rsaOnly);
      DaemonProcess.Result r = cli("renew", "web", "--force");
      assertEquals(0, r.exitCode(), r.err());
      String renewed = sha256Line(r.out());

      d.awaitLine(l -> l.contains(" ERROR ")
          && l.contains("web - listener echo serves " + old + " instead of the new certificate " + renewed), SETTLE);
      assertEquals(old, served(), "the refused certificate is not served");
      long deadline = System.nanoTime() + SETTLE.toNanos();
      List<String> kinds = alertKinds();
      while (!kinds.contains("stale_listener") && System.nanoTime() < deadline) {
        Thread.sleep(200);
        kinds = alertKinds();
      }
      assertTrue(kinds.contains("stale_listener"), "stale_listener alert in the outbox: " + kinds);
    }
  }
}
