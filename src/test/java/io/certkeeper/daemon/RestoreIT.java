package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.testing.ExternalTool;
import io.certkeeper.util.Json;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup of a running daemon with a local CA and a managed certificate served by a listener,
 * restored with {@code certkeeper restore} into a fresh data directory, serves the same certificate
 * from a daemon started there: openssl sees the same fingerprint, {@code status} lists it.
 */
@Tag("reliability")
class RestoreIT {
  static final Duration START = Duration.ofSeconds(60);
  static final Map<String, String> ENV = Map.of("CA_PASS", "a long enough CA passphrase");

  @TempDir Path dir;

  /** A configuration with its data dir, one managed certificate and an echo listener serving it. */
  private Path config(String name, Path data, Path out, int port) throws Exception {
    Path cfg = dir.resolve(name + ".yaml");
    Files.writeString(cfg, "data-dir: " + data + "\n"
        + "ca:\n  passphrase: env:CA_PASS\n"
        + "certificates:\n"
        + "  - name: web\n"
        + "    common-name: localhost\n"
        + "    validity: 30d\n"
        + "    outputs:\n"
        + "      - {type: key, path: " + out.resolve("web.key") + "}\n"
        + "      - {type: fullchain, path: " + out.resolve("web.pem") + "}\n"
        + "listeners:\n"
        + "  - name: echo\n"
        + "    bind: 127.0.0.1:" + port + "\n"
        + "    role: echo\n"
        + "    certificate: {managed: web}\n");
    return cfg;
  }

  private DaemonProcess.Result cli(Path cfg, String... args) throws Exception {
    return DaemonProcess.cli(ENV, java.time.Duration.ofSeconds(60), cfg, null, args);
  }

  private static DaemonProcess daemon(Path cfg) throws Exception {
    return DaemonProcess.start(ENV, "--config", cfg.toString(), "daemon");
  }

  /** The SHA-256 fingerprint of the certificate served on {@code port}, as openssl reads it; polled until one is served. */
  private String servedFingerprint(int port) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    String last = "";
    while (Instant.now().isBefore(deadline)) {
      ExternalTool.Result r = ExternalTool.run(dir, "/bin/sh", "-c",
          "openssl s_client -connect 127.0.0.1:" + port + " -servername localhost </dev/null 2>/dev/null"
              + " | openssl x509 -noout -fingerprint -sha256");
      last = r.output();
      if (r.ok() && last.contains("Fingerprint=")) {
        return normalize(last);
      }
      Thread.sleep(200);
    }
    throw new AssertionError("nothing served on 127.0.0.1:" + port + " within 30s: " + last);
  }

  private String fileFingerprint(Path pem) {
    ExternalTool.Result r = ExternalTool.run(dir, "openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in",
        pem.toString());
    assertTrue(r.ok(), pem + ": " + r.output());
    return normalize(r.output());
  }

  private static String normalize(String opensslFingerprint) {
    String line = opensslFingerprint.lines().filter(l -> l.contains("Fingerprint=")).findFirst().orElseThrow();
    return line.substring(line.indexOf('=') + 1).replace(":", "").trim().toLowerCase(Locale.ROOT);
  }

  private JsonNode status(Path cfg) throws Exception {
    DaemonProcess.Result r = cli(cfg, "status", "--json");
    assertEquals(0, r.exitCode(), r.err());
    return Json.mapper().readTree(r.out());
  }

  @Test
  void aBackupOfARunningDaemonRestoredIntoAFreshDirectoryServesTheSameCertificate() throws Exception {
    Path data = dir.resolve("data");
    int port = ManagedDaemonIT.freePort();
    Path cfg = config("original", data, dir.resolve("out"), port);
    DaemonProcess.Result init = cli(cfg, "ca", "init", "--name", "Restore IT CA");
    assertEquals(0, init.exitCode(), init.err());
    Path backup = dir.resolve("backups/certkeeper.zip");
    String served;
    JsonNode before;
    try (DaemonProcess d = daemon(cfg)) {
      d.awaitLine(l -> l.endsWith("Daemon - ready"), START);
      served = servedFingerprint(port);
      assertEquals(served, fileFingerprint(data.resolve("managed/web/current/cert.pem")));
      before = status(cfg);

      DaemonProcess.Result b = cli(cfg, "backup", "--out", backup.toString());
      assertEquals(0, b.exitCode(), b.err());
      assertTrue(b.out().contains(" and 1 managed certificates (1 generations)"), b.out());
      assertTrue(d.process().isAlive(), "the daemon keeps running through the backup");
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)));

      DaemonProcess.Result busy = cli(cfg, "restore", "--from", backup.toString(), "--force");
      assertEquals(1, busy.exitCode(), busy.out());
      assertTrue(busy.err().startsWith("certkeeper: the store in " + data + " is open in another process ("),
          busy.err());

      d.signal("TERM");
      assertTrue(d.process().waitFor(30, TimeUnit.SECONDS), "the daemon stops on TERM");
    }

    Path fresh = dir.resolve("restored/data");
    Path freshOut = dir.resolve("restored/out");
    int freshPort = ManagedDaemonIT.freePort();
    Path freshCfg = config("restored", fresh, freshOut, freshPort);
    DaemonProcess.Result r = cli(freshCfg, "restore", "--from", backup.toString());
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().startsWith("restored " + backup + " into " + fresh + ": the store (schema "), r.out());
    assertTrue(Files.isSymbolicLink(fresh.resolve("managed/web/current")));
    try (Stream<Path> all = Files.walk(fresh)) {
      for (Path p : all.filter(p -> !Files.isSymbolicLink(p)).toList()) {
        assertEquals(Files.isDirectory(p) ? "rwx------" : "rw-------",
            PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)), p.toString());
      }
    }
    assertFalse(Files.exists(freshOut.resolve("web.pem")), "outputs are not in the backup");

    try (DaemonProcess d = daemon(freshCfg)) {
      d.awaitLine(l -> l.endsWith("Daemon - ready"), START);
      assertEquals(served, servedFingerprint(freshPort), "the restored daemon serves the certificate backed up");
      // the restored daemon wrote the configured outputs from the restored generation, issuing nothing
      assertEquals(served, fileFingerprint(freshOut.resolve("web.pem")));
      JsonNode after = status(freshCfg);
      JsonNode web = after.at("/managed/0");
      assertEquals("web", web.at("/name").asText(), after.toString());
      assertEquals(before.at("/managed/0/serial").asText(), web.at("/serial").asText(), after.toString());
      assertEquals(before.at("/managed/0/notAfter").asText(), web.at("/notAfter").asText(), after.toString());
      assertEquals(before.at("/certificates/total").asLong(), after.at("/certificates/total").asLong(),
          after.toString());
      d.signal("TERM");
      assertTrue(d.process().waitFor(30, TimeUnit.SECONDS), "the restored daemon stops on TERM");
    }
  }
}
