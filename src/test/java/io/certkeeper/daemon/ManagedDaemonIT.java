package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.testing.ExternalTool;
import io.certkeeper.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Managed certificates in the packaged daemon: a listener serving a managed certificate sees a
 * renewal at once, and a process killed dead at each step of a renewal leaves files and store
 * consistent after the next start.
 */
class ManagedDaemonIT {
  static final Duration START = Duration.ofSeconds(60);
  static final Map<String, String> ENV = Map.of("CA_PASS", "a long enough CA passphrase");

  @TempDir Path dir;
  Path cfg;
  Path data;
  Path out;

  void setUp(int port) throws Exception {
    data = dir.resolve("data");
    out = dir.resolve("out");
    cfg = dir.resolve("certkeeper.yaml");
    Files.writeString(cfg, "ca:\n  passphrase: env:CA_PASS\n"
        + "certificates:\n"
        + "  - name: web\n"
        + "    common-name: localhost\n"
        + "    validity: 30d\n"
        + "    outputs:\n"
        + "      - {type: key, path: " + out.resolve("web.key") + "}\n"
        + "      - {type: cert, path: " + out.resolve("web.crt") + "}\n"
        + "      - {type: fullchain, path: " + out.resolve("web.pem") + "}\n"
        + "listeners:\n"
        + "  - name: echo\n"
        + "    bind: 127.0.0.1:" + port + "\n"
        + "    role: echo\n"
        + "    certificate: {managed: web}\n");
    DaemonProcess.Result init = cli(Map.of(), "ca", "init", "--name", "IT CA");
    assertEquals(0, init.exitCode(), init.err());
  }

  DaemonProcess.Result cli(Map<String, String> extraEnv, String... args) throws Exception {
    Map<String, String> env = new java.util.HashMap<>(ENV);
    env.putAll(extraEnv);
    return DaemonProcess.cli(env, java.time.Duration.ofSeconds(60), cfg, data, args);
  }

  DaemonProcess daemon(Map<String, String> extraEnv) throws Exception {
    Map<String, String> env = new java.util.HashMap<>(ENV);
    env.putAll(extraEnv);
    return DaemonProcess.start(env, "--config", cfg.toString(), "--data-dir", data.toString(), "daemon");
  }

  static int freePort() {
    return io.certkeeper.testing.FreePorts.next();
  }

  String servedSerial(int port) {
    ExternalTool.Result r = ExternalTool.run(dir, "/bin/sh", "-c",
        "openssl s_client -connect 127.0.0.1:" + port + " -servername localhost </dev/null 2>/dev/null"
            + " | openssl x509 -noout -serial");
    assertTrue(r.ok(), r.output());
    return normalize(r.output());
  }

  static String normalize(String opensslSerial) {
    return opensslSerial.trim().replaceFirst("^serial=", "").toLowerCase(Locale.ROOT).replaceFirst("^0+", "");
  }

  String fileSerial(Path cert) {
    ExternalTool.Result r = ExternalTool.run(dir, "openssl", "x509", "-noout", "-serial", "-in", cert.toString());
    assertTrue(r.ok(), cert + ": " + r.output());
    return normalize(r.output());
  }

  void assertKeyMatches(Path cert, Path key) {
    ExternalTool.Result a = ExternalTool.run(dir, "openssl", "x509", "-noout", "-pubkey", "-in", cert.toString());
    ExternalTool.Result b = ExternalTool.run(dir, "openssl", "pkey", "-pubout", "-in", key.toString());
    assertTrue(a.ok() && b.ok(), a.output() + b.output());
    assertEquals(a.output(), b.output(), key + " does not match " + cert);
  }

  /** Every file parses, each key matches its certificate, and the store names the same serial. */
  String assertConsistent() throws Exception {
    Path current = data.resolve("managed/web/current");
    String serial = fileSerial(current.resolve("cert.pem"));
    assertKeyMatches(current.resolve("fullchain.pem"), current.resolve("key.pem"));
    assertEquals(serial, fileSerial(out.resolve("web.crt")));
    assertEquals(serial, fileSerial(out.resolve("web.pem")));
    assertKeyMatches(out.resolve("web.crt"), out.resolve("web.key"));
    DaemonProcess.Result st = cli(Map.of(), "explain", "web", "--json");
    assertEquals(0, st.exitCode(), st.err());
    assertEquals(serial, Json.mapper().readTree(st.out()).at("/serial").asText());
    return serial;
  }

  @Test
  void aForcedRenewalFromTheCliIsServedByTheManagedListenerAtOnce() throws Exception {
    int port = freePort();
    setUp(port);
    try (DaemonProcess d = daemon(Map.of())) {
      d.awaitLine(l -> l.endsWith("Daemon - ready"), START);
      String first = assertConsistent();
      assertEquals(first, servedSerial(port));

      DaemonProcess.Result r = cli(Map.of(), "renew", "web", "--force");
      assertEquals(0, r.exitCode(), r.err());
      assertTrue(r.out().startsWith("renewed web: serial "), r.out());
      String second = assertConsistent();
      assertNotEquals(first, second);
      d.awaitLine(l -> l.contains("echo - now serving"), Duration.ofSeconds(10));
      assertEquals(second, servedSerial(port));
      // the CLI's renewal is counted with the daemon's first issue: the counters are the store's
      DaemonProcess.Result metrics = cli(Map.of(), "metrics");
      assertTrue(metrics.out().contains("certkeeper_renewals_total{result=\"success\"} 2\n"), metrics.out());

      DaemonProcess.Result refused = cli(Map.of(), "renew", "web");
      assertEquals(1, refused.exitCode(), refused.out());
      // one line of its own: no log line beside it, no milliseconds
      assertEquals(1, refused.err().lines().count(), refused.err());
      assertTrue(refused.err().matches("certkeeper: web not renewed: renewed \\d+[dhms]( \\d+[dhms])? ago; at most one"
          + " renewal per 1h; --force renews anyway\n"), refused.err());

      DaemonProcess.Result status = cli(Map.of(), "status", "--json");
      JsonNode m = Json.mapper().readTree(status.out()).at("/managed/0");
      assertEquals("web", m.at("/name").asText());
      assertEquals(second, m.at("/serial").asText());
      assertEquals(0, m.at("/consecutiveFailures").asInt());
    }
  }

  @Test
  void theAdminApiRenewsAManagedCertificateWithTheStormGuardInForce() throws Exception {
    int port = freePort();
    setUp(port);
    int admin = freePort();
    Files.writeString(dir.resolve("token"), "api-token\n");
    Files.writeString(cfg, Files.readString(cfg)
        + "  - name: admin\n"
        + "    bind: 127.0.0.1:" + admin + "\n"
        + "    role: admin\n"
        + "    certificate: {managed: web}\n"
        + "    auth: {token: 'file:" + dir.resolve("token") + "'}\n");
    try (DaemonProcess d = daemon(Map.of())) {
      d.awaitLine(l -> l.endsWith("Daemon - ready"), java.time.Duration.ofSeconds(60));
      String first = assertConsistent();
      // issued moments ago at start: a renewal within the minimum interval is refused, 409
      Http refused = renewOverApi(admin, "web");
      assertEquals(409, refused.status(), refused.body());
      JsonNode outcome = Json.mapper().readTree(refused.body());
      assertEquals("refused", outcome.at("/kind").asText(), refused.body());
      assertTrue(outcome.at("/message").asText().contains("at most one renewal per 1h"), refused.body());
      assertEquals(first, outcome.at("/serial").asText(), "the certificate in force stays");
      assertEquals(first, assertConsistent());
      // ?force=true: the storm guard's interval is skipped, as with renew --force
      Http forced = renewOverApi(admin, "web?force=true");
      assertEquals(200, forced.status(), forced.body());
      assertEquals("renewed", Json.mapper().readTree(forced.body()).at("/kind").asText(), forced.body());
      String second = assertConsistent();
      assertNotEquals(first, second);
      assertEquals(second, Json.mapper().readTree(forced.body()).at("/serial").asText());
      assertEquals(409, renewOverApi(admin, "web").status(), "refused again right after");
      assertEquals(400, renewOverApi(admin, "web?force=yes").status());
      assertEquals(404, renewOverApi(admin, "nope").status());
      d.signal("TERM");
      assertTrue(d.process().waitFor(10, TimeUnit.SECONDS));
    }
  }

  /** curl's HTTP status and body. */
  record Http(int status, String body) {}

  /** {@code POST /api/v1/certificates/{nameAndQuery}/renew} with the token, over HTTPS. */
  Http renewOverApi(int admin, String nameAndQuery) throws Exception {
    int q = nameAndQuery.indexOf('?');
    String path = q < 0 ? nameAndQuery + "/renew" : nameAndQuery.substring(0, q) + "/renew" + nameAndQuery.substring(q);
    Path body = dir.resolve("body-" + System.nanoTime());
    List<String> cmd = List.of("curl", "-s", "-k", "--max-time", "60", "-X", "POST", "-H",
        "Authorization: Bearer api-token", "-o", body.toString(), "-w", "%{http_code}",
        "https://127.0.0.1:" + admin + "/api/v1/certificates/" + path);
    io.certkeeper.testing.OpenSsl.Result r = io.certkeeper.testing.OpenSsl.exec(dir, cmd);
    String code = r.output().trim();
    return new Http(code.isEmpty() ? 0 : Integer.parseInt(code.substring(Math.max(0, code.length() - 3))),
        Files.exists(body) ? Files.readString(body) : "");
  }

  @Test
  void killedDeadAtEachStepOfARenewalFilesAndStoreAgreeAfterRestart() throws Exception {
    int port = freePort();
    setUp(port);
    // the daemon itself stops dead while issuing the first certificate, then starts cleanly
    try (DaemonProcess d = daemon(Map.of("CERTKEEPER_TEST_CRASH_AT", "after-swap"))) {
      assertTrue(d.process().waitFor(60, TimeUnit.SECONDS));
      assertEquals(137, d.process().exitValue(), String.join("\n", d.lines()));
    }
    String previous = restartAndCheck(port);
    // then renewals stopped dead at each step, each followed by a restart
    for (String step : List.of("after-issue", "after-generation", "after-swap", "after-store", "after-outputs")) {
      DaemonProcess.Result r = cli(Map.of("CERTKEEPER_TEST_CRASH_AT", step), "renew", "web", "--force");
      assertEquals(137, r.exitCode(), step + ": " + r.out() + r.err());
      String now = restartAndCheck(port);
      boolean committed = !step.equals("after-issue") && !step.equals("after-generation");
      assertEquals(committed, !now.equals(previous), step + ": previous " + previous + ", now " + now);
      previous = now;
    }
  }

  private String restartAndCheck(int port) throws Exception {
    try (DaemonProcess d = daemon(Map.of())) {
      d.awaitLine(l -> l.endsWith("Daemon - ready"), START);
      String serial = assertConsistent();
      assertEquals(serial, servedSerial(port));
      try (var gens = Files.list(data.resolve("managed/web/generations"))) {
        assertTrue(gens.count() <= 2, "at most the current and the previous generation");
      }
      d.signal("TERM");
      assertTrue(d.process().waitFor(15, TimeUnit.SECONDS));
      return serial;
    }
  }
}
