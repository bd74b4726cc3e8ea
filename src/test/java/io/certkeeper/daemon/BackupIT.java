package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.store.CertificateRecord;
import io.certkeeper.store.CertificateRepository;
import io.certkeeper.store.Store;
import io.certkeeper.testing.OpenSsl;
import io.certkeeper.util.Json;
import io.certkeeper.x509.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code certkeeper backup} while the daemon runs, restored as README says: unzip into a fresh data dir. */
class BackupIT {
  @TempDir Path dir;

  private static JsonNode status(Path data) throws Exception {
    DaemonProcess.Result r = DaemonProcess.cli("--data-dir", data.toString(), "status", "--json");
    assertEquals(0, r.exitCode(), r.err());
    return Json.mapper().readTree(r.out());
  }

  @Test
  void backupTakenWhileTheDaemonRunsRestoresTheSameCertificatesAndCa() throws Exception {
    Path cfg = dir.resolve("certkeeper.yaml");
    Files.writeString(cfg, "log:\n  level: info\n");
    Path data = dir.resolve("data");
    Path backup = dir.resolve("certkeeper-backup.zip");
    try (DaemonProcess d = DaemonProcess.start(Map.of(), "--config", cfg.toString(), "--data-dir", data.toString(),
        "daemon")) {
      d.awaitLine(l -> l.endsWith("Daemon - ready"), Duration.ofSeconds(60));
      // certificates written through the daemon's H2 server, as the CLI writes them
      try (Store store = Store.openEmbedded(data, 2)) {
        CertificateRepository certs = new CertificateRepository(store);
        for (int i = 0; i < 5; i++) {
          certs.upsert(Pem.readCertificates(OpenSsl.selfSigned(dir, "c" + i, "c" + i + ".example", 30 + i)).get(0),
              i < 2 ? CertificateRecord.Source.ISSUED : CertificateRecord.Source.OBSERVED, Instant.now());
        }
      }
      Files.createDirectories(data.resolve("ca"));
      Files.writeString(data.resolve("ca/root.pem"), "-----BEGIN CERTIFICATE-----\n...\n");
      Files.writeString(data.resolve("ca/root.key.pem"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\n...\n");
      JsonNode before = status(data);
      assertEquals(5, before.at("/certificates/total").asLong(), before.toString());

      DaemonProcess.Result r = DaemonProcess.cli("--config", cfg.toString(), "--data-dir", data.toString(),
          "backup", "--out", backup.toString());
      assertEquals(0, r.exitCode(), r.err());
      assertTrue(d.process().isAlive(), "the daemon keeps running");
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)));

      d.signal("TERM");
      assertTrue(d.process().waitFor(10, TimeUnit.SECONDS));
    }

    Path fresh = dir.resolve("restored");
    Files.createDirectories(fresh);
    Process unzip = new ProcessBuilder("unzip", "-q", backup.toString(), "-d", fresh.toString())
        .redirectErrorStream(true).start();
    String unzipOut = new String(unzip.getInputStream().readAllBytes());
    assertTrue(unzip.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, unzip.exitValue(), unzipOut);

    JsonNode after = status(fresh);
    assertEquals(5, after.at("/certificates/total").asLong(), after.toString());
    assertEquals(2, after.at("/certificates/issued").asLong(), after.toString());
    assertEquals(Files.readString(data.resolve("ca/root.key.pem")), Files.readString(fresh.resolve("ca/root.key.pem")));
    assertEquals(Files.readString(data.resolve("ca/root.pem")), Files.readString(fresh.resolve("ca/root.pem")));
  }
}
