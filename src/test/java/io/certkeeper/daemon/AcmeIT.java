package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.ExternalTool;
import io.certkeeper.testing.FreePorts;
import io.certkeeper.testing.Pebble;
import io.certkeeper.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ACME with real processes: the daemon, with no local CA, gets a managed certificate from pebble
 * (which refuses 5% of nonces and reuses authorizations on purpose) by answering http-01 through its
 * own {@code acme-http} listener, and serves it; {@code openssl s_client} verifies it against
 * pebble's root. A forced renewal from the CLI, while the daemon runs, is validated through the
 * daemon's listener (the answer goes through the store) and served at once. A wildcard certificate
 * is validated by dns-01 through hooks that set and clear the TXT records in challtestsrv's DNS.
 */
class AcmeIT {
  static final Duration START = Duration.ofSeconds(90);
  static final Duration CLI = Duration.ofSeconds(120);
  static final Map<String, String> ENV = Map.of("ACME_PASS", "a long enough ACME passphrase");

  @TempDir Path dir;

  @Test
  void aCertificateFromPebbleIsServedAndRenewedThroughTheStore() throws Exception {
    int http = FreePorts.next();
    int tls = FreePorts.next();
    int wildTls = FreePorts.next();
    int alpnTls = FreePorts.next();
    try (Pebble pebble = Pebble.start(dir.resolve("pebble"), http, alpnTls)) {
      Path cfg = dir.resolve("certkeeper.yaml");
      Path data = dir.resolve("data");
      Path cleared = dir.resolve("cleared.log");
      Path setTxt = script("set-txt.sh", "curl -fsS -X POST -d \"{\\\"host\\\":\\\"$CERTKEEPER_DNS_RECORD\\\","
          + "\\\"value\\\":\\\"$CERTKEEPER_DNS_VALUE\\\"}\" " + pebble.dnsManagement() + "/set-txt\n");
      Path clearTxt = script("clear-txt.sh", "curl -fsS -X POST -d \"{\\\"host\\\":\\\"$CERTKEEPER_DNS_RECORD\\\"}\" "
          + pebble.dnsManagement() + "/clear-txt && echo \"$CERTKEEPER_DOMAIN $CERTKEEPER_DNS_RECORD\" >> " + cleared + "\n");
      Files.writeString(cfg, "acme:\n"
          + "  passphrase: env:ACME_PASS\n"
          + "  accounts:\n"
          + "    - name: pebble\n"
          + "      directory: " + pebble.directory() + "\n"
          + "      contact: [ops@acme.test]\n"
          + "      agree-tos: true\n"
          + "      ca-files: [" + pebble.tlsCa() + "]\n"
          + "certificates:\n"
          + "  - name: www\n"
          + "    issuer: acme:pebble\n"
          + "    common-name: www.acme.test\n"
          + "    sans: [dns:api.acme.test]\n"
          + "  - name: wild\n"
          + "    issuer: acme:pebble\n"
          + "    common-name: dns.acme.test\n"
          + "    sans: ['dns:*.dns.acme.test']\n"
          + "    challenge: dns-01\n"
          + "    dns-set: {command: [" + setTxt + "], timeout: 20s}\n"
          + "    dns-clear: {command: [" + clearTxt + "], timeout: 20s}\n"
          + "  - name: alpn\n"
          + "    issuer: acme:pebble\n"
          + "    common-name: alpn.acme.test\n"
          + "    challenge: tls-alpn-01\n"
          + "listeners:\n"
          + "  - {name: http, bind: '127.0.0.1:" + http + "', role: acme-http}\n"
          + "  - {name: web, bind: '127.0.0.1:" + tls + "', role: echo, certificate: {managed: www}}\n"
          + "  - {name: wild, bind: '127.0.0.1:" + wildTls + "', role: echo, certificate: {managed: wild}}\n"
          // pebble's tlsPort: the listener is up with a stand-in before alpn is first issued, and answers its tls-alpn-01
          + "  - {name: alpn, bind: '127.0.0.1:" + alpnTls + "', role: echo, certificate: {managed: alpn}}\n");
      try (DaemonProcess d = DaemonProcess.start(ENV, "--config", cfg.toString(), "--data-dir", data.toString(),
          "daemon")) {
        d.awaitLine(l -> l.endsWith("Daemon - ready"), START);
        Path root = pebble.issuingRoot();
        String first = verifiedSerial(tls, root, "www.acme.test");
        assertEquals(first, verifiedSerial(tls, root, "api.acme.test"), "one certificate for both names");
        verifiedSerial(alpnTls, root, "alpn.acme.test");
        assertTrue(d.lines().stream().anyMatch(l -> l.contains("alpn - showed the tls-alpn-01 validation certificate for alpn.acme.test")),
            "validated through the daemon's own listener");
        String wild = verifiedSerial(wildTls, root, "any.dns.acme.test");
        assertEquals(wild, verifiedSerial(wildTls, root, "dns.acme.test"));
        java.util.List<String> clears = Files.readAllLines(cleared);
        assertEquals(java.util.Set.of("dns.acme.test _acme-challenge.dns.acme.test."), java.util.Set.copyOf(clears),
            "each TXT record was cleared after its authorization: " + clears);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
            data.resolve("acme/pebble/account.key.pem"))), "the account key is private");
        assertTrue(Files.readString(data.resolve("acme/pebble/account.key.pem")).contains("ENCRYPTED PRIVATE KEY"));

        // the CLI places the order; pebble validates through the daemon's acme-http listener
        DaemonProcess.Result renewed = DaemonProcess.cli(ENV, CLI, cfg, data, "renew", "www", "--force");
        assertEquals(0, renewed.exitCode(), renewed.out() + renewed.err());
        String second = explainedSerial(cfg, data);
        assertNotEquals(first, second);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!verifiedSerial(tls, root, "www.acme.test").equals(second) && Instant.now().isBefore(deadline)) {
          Thread.sleep(100);
        }
        assertEquals(second, verifiedSerial(tls, root, "www.acme.test"), "the daemon serves the CLI's renewal");

        // revocation at the ACME server, with the account's key
        DaemonProcess.Result both = DaemonProcess.cli(ENV, CLI, cfg, data, "revoke", "0a", "--acme", "www");
        assertTrue(both.exitCode() != 0 && both.err().contains("not both"), both.err());
        DaemonProcess.Result revoked = DaemonProcess.cli(ENV, CLI, cfg, data, "revoke", "--acme", "www", "--reason",
            "superseded");
        assertEquals(0, revoked.exitCode(), revoked.out() + revoked.err());
        assertTrue(revoked.out().startsWith("revoked www's certificate " + second + " (superseded)"), revoked.out());
        assertTrue(pebble.certificateStatus(second).contains("\"Revoked\""), pebble.certificateStatus(second));
        assertTrue(pebble.certificateStatus(first).contains("\"Valid\""), "only the one in force");

        // a renewal killed dead once the server issued, before the generation is written: what is served
        // stays, and the next renewal places a new order whose certificate is served
        Map<String, String> crash = new java.util.HashMap<>(ENV);
        crash.put("CERTKEEPER_TEST_CRASH_AT", "after-issue");
        DaemonProcess.Result killed = DaemonProcess.cli(crash, CLI, cfg, data, "renew", "www", "--force");
        assertTrue(killed.exitCode() != 0, killed.out() + killed.err());
        assertEquals(second, verifiedSerial(tls, root, "www.acme.test"));
        assertEquals(second, explainedSerial(cfg, data));
        DaemonProcess.Result again = DaemonProcess.cli(ENV, CLI, cfg, data, "renew", "www", "--force");
        assertEquals(0, again.exitCode(), again.out() + again.err());
        String third = explainedSerial(cfg, data);
        assertNotEquals(second, third);
        deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!verifiedSerial(tls, root, "www.acme.test").equals(third) && Instant.now().isBefore(deadline)) {
          Thread.sleep(100);
        }
        assertEquals(third, verifiedSerial(tls, root, "www.acme.test"));

        // what was asked of the acme-http listener besides the challenges gets nothing
        ExternalTool.Result other = ExternalTool.run(dir, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
            "http://127.0.0.1:" + http + "/.well-known/acme-challenge/unknown-token");
        assertEquals("404", other.output().trim());
        ExternalTool.Result root404 = ExternalTool.run(dir, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
            "http://127.0.0.1:" + http + "/");
        assertEquals("404", root404.output().trim());
      }
    }
  }

  /**
   * A daemon killed dead while an order waits in its dns-set hook leaves the order unfinished at the
   * server; the next start places a new one, and exactly one certificate is put in force and served.
   */
  @Test
  void aDaemonKilledInTheMiddleOfAnOrderOrdersAgainAtItsNextStart() throws Exception {
    int tls = FreePorts.next();
    try (Pebble pebble = Pebble.start(dir.resolve("pebble"), FreePorts.next())) {
      Path cfg = dir.resolve("certkeeper.yaml");
      Path data = dir.resolve("data");
      Path first = dir.resolve("first-hook-ran");
      Path sleeper = dir.resolve("sleeper.pid");
      // the first order hangs in its hook (until the kill); the next one publishes the record
      Path setTxt = script("set-txt.sh", "if [ ! -e " + first + " ]; then touch " + first + "; echo $$ > " + sleeper
          + "; exec sleep 300; fi\n"
          + "curl -fsS -X POST -d \"{\\\"host\\\":\\\"$CERTKEEPER_DNS_RECORD\\\",\\\"value\\\":\\\"$CERTKEEPER_DNS_VALUE\\\"}\" "
          + pebble.dnsManagement() + "/set-txt\n");
      Path clearTxt = script("clear-txt.sh", "curl -fsS -X POST -d \"{\\\"host\\\":\\\"$CERTKEEPER_DNS_RECORD\\\"}\" "
          + pebble.dnsManagement() + "/clear-txt\n");
      Files.writeString(cfg, AcmeChecks.pebbleAccount(pebble)
          + "certificates:\n"
          + "  - name: again\n"
          + "    issuer: acme:pebble\n"
          + "    common-name: again.acme.test\n"
          + "    challenge: dns-01\n"
          + "    dns-set: {command: [" + setTxt + "], timeout: 10m}\n"
          + "    dns-clear: {command: [" + clearTxt + "], timeout: 20s}\n"
          + "listeners:\n"
          + "  - {name: web, bind: '127.0.0.1:" + tls + "', role: echo, certificate: {managed: again}}\n");
      try {
        try (DaemonProcess d = DaemonProcess.start(ENV, "--config", cfg.toString(), "--data-dir", data.toString(),
            "daemon")) {
          Instant deadline = Instant.now().plus(START);
          while (!Files.exists(sleeper) && Instant.now().isBefore(deadline) && d.process().isAlive()) {
            Thread.sleep(50);
          }
          assertTrue(Files.exists(sleeper), "the order reached its hook:\n" + String.join("\n", d.lines()));
          d.signal("KILL");
          d.process().waitFor();
        }
        try (DaemonProcess d = DaemonProcess.start(ENV, "--config", cfg.toString(), "--data-dir", data.toString(),
            "daemon")) {
          d.awaitLine(l -> l.endsWith("Daemon - ready"), START);
          Path root = pebble.issuingRoot();
          String served = verifiedSerial(tls, root, "again.acme.test");
          DaemonProcess.Result r = DaemonProcess.cli(ENV, CLI, cfg, data, "explain", "again", "--json");
          assertEquals(served, Json.mapper().readTree(r.out()).at("/serial").asText());
          assertEquals(1, Json.mapper().readTree(r.out()).at("/generation").asInt());
          try (java.util.stream.Stream<Path> gens = Files.list(data.resolve("managed/again/generations"))) {
            assertEquals(1, gens.filter(p -> !p.getFileName().toString().startsWith(".")).count(),
                "one certificate put in force");
          }
        }
      } finally {
        if (Files.exists(sleeper)) {
          ExternalTool.run(dir, "kill", Files.readString(sleeper).trim());
        }
      }
    }
  }

  /**
   * http-01 through another web server: the CLI writes the answer into its document root
   * ({@code webroot:}), the server (here a small static one on pebble's httpPort) serves it, and the
   * file is gone once the order ended. No certkeeper listener is involved.
   */
  @Test
  void http01ThroughAWebrootServedByAnotherWebServer() throws Exception {
    int http = FreePorts.next();
    Path webroot = Files.createDirectories(dir.resolve("www"));
    java.util.List<String> served = new java.util.concurrent.CopyOnWriteArrayList<>();
    com.sun.net.httpserver.HttpServer web = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress("127.0.0.1", http), 16);
    web.createContext("/", x -> {
      try (x) {
        Path f = webroot.resolve(x.getRequestURI().getPath().substring(1)).normalize();
        if (!f.startsWith(webroot) || !Files.isRegularFile(f)) {
          x.sendResponseHeaders(404, -1);
          return;
        }
        served.add(f.getFileName() + " " + PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        byte[] b = Files.readAllBytes(f);
        x.sendResponseHeaders(200, b.length);
        x.getResponseBody().write(b);
      }
    });
    web.start();
    try (Pebble pebble = Pebble.start(dir.resolve("pebble"), http)) {
      Path cfg = dir.resolve("certkeeper.yaml");
      Path data = dir.resolve("data");
      Files.writeString(cfg, AcmeChecks.pebbleAccount(pebble)
          + "certificates:\n"
          + "  - {name: site, issuer: 'acme:pebble', common-name: site.acme.test, webroot: " + webroot + "}\n");
      DaemonProcess.Result r = DaemonProcess.cli(ENV, CLI, cfg, data, "renew", "site");
      assertEquals(0, r.exitCode(), r.out() + r.err());
      assertTrue(!served.isEmpty() && served.stream().allMatch(s -> s.endsWith(" rw-r--r--")),
          "the web server read the answer: " + served);
      try (java.util.stream.Stream<Path> left = Files.list(webroot.resolve(".well-known/acme-challenge"))) {
        assertEquals(0, left.count(), "answers are removed after the order");
      }
      ExternalTool.Result ok = ExternalTool.run(dir, "openssl", "verify", "-CAfile", pebble.issuingRoot().toString(),
          "-untrusted", data.resolve("managed/site/current/fullchain.pem").toString(),
          data.resolve("managed/site/current/fullchain.pem").toString());
      assertTrue(ok.ok(), ok.output());
    } finally {
      web.stop(0);
    }
  }

  private Path script(String name, String body) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, "#!/bin/sh\nset -e\n" + body);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
    return f;
  }

  private String verifiedSerial(int port, Path root, String name) {
    return AcmeChecks.verifiedSerial(dir, port, root, name);
  }

  private String explainedSerial(Path cfg, Path data) throws Exception {
    DaemonProcess.Result r = DaemonProcess.cli(ENV, CLI, cfg, data, "explain", "www", "--json");
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertEquals("acme:pebble (http-01)", Json.mapper().readTree(r.out()).at("/issuer").asText());
    return Json.mapper().readTree(r.out()).at("/serial").asText();
  }
}
