package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupCommandTest {
  @TempDir Path dir;

  @AfterEach
  void closeTheStoresThisJvmOpened() throws Exception {
    InProcessStores.shutDownAll(dir);
  }

  private static List<String> entries(Path zip) throws Exception {
    List<String> names = new ArrayList<>();
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
      ZipEntry e;
      while ((e = in.getNextEntry()) != null) {
        names.add(e.getName());
      }
    }
    return names;
  }

  @Test
  void writesTheStoreTheCaAndAManifestOwnerOnlyAndLeavesNoTemporaryFiles() throws Exception {
    Path data = dir.resolve("data");
    assertEquals(0, CliRunner.run("--data-dir", data.toString(), "endpoint", "add", "a.example:443").exitCode());
    Files.createDirectories(data.resolve("ca/issued"));
    Files.writeString(data.resolve("ca/root.pem"), "root\n");
    Files.writeString(data.resolve("ca/root.key.pem"), "encrypted key\n");
    Files.writeString(data.resolve("ca/issued/web.pem"), "leaf\n");
    Path out = dir.resolve("backups/certkeeper.zip");

    CliRunner.Run r = CliRunner.run("--data-dir", data.toString(), "backup", "--out", out.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().startsWith("backed up the store (schema "), r.out());
    assertTrue(r.out().contains(", 3 CA files and 0 managed certificates (0 generations)"), r.out());

    assertEquals(List.of("certkeeper.mv.db", "store.secret", "ca/issued/web.pem", "ca/root.key.pem", "ca/root.pem",
        "certkeeper-backup.json"), entries(out));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
    try (var files = Files.list(data)) {
      assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith(".backup-")), "temporary store zip left");
    }
    try (var files = Files.list(out.getParent())) {
      assertEquals(List.of(out), files.toList());
    }
  }

  @Test
  @Tag("security")
  void theStorePasswordTravelsWithTheBackupSoTheRestoredStoreOpens() throws Exception {
    Path data = dir.resolve("data");
    assertEquals(0, CliRunner.run("--data-dir", data.toString(), "endpoint", "add", "a.example:443").exitCode());
    Path out = dir.resolve("b.zip");
    CliRunner.Run r = CliRunner.run("--data-dir", data.toString(), "backup", "--out", out.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains(", its password (store.secret), 0 CA files and"), r.out());

    Path restored = Files.createDirectory(dir.resolve("restored"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(out))) {
      ZipEntry e;
      while ((e = in.getNextEntry()) != null) {
        Files.createDirectories(restored.resolve(e.getName()).getParent());
        Files.write(restored.resolve(e.getName()), in.readAllBytes());
      }
    }
    assertEquals(Files.readString(data.resolve("store.secret")), Files.readString(restored.resolve("store.secret")));
    CliRunner.Run list = CliRunner.run("--data-dir", restored.toString(), "endpoint", "list", "--json");
    assertEquals(0, list.exitCode(), list.err());
    assertEquals(1, Json.mapper().readTree(list.out()).size(), list.out());
    assertTrue(list.out().contains("a.example:443"), list.out());
  }

  @Test
  void manifestDescribesEveryFileWithItsDigest() throws Exception {
    Path data = dir.resolve("data");
    CliRunner.run("--data-dir", data.toString(), "endpoint", "add", "a.example:443");
    Path out = dir.resolve("b.zip");
    assertEquals(0, CliRunner.run("--data-dir", data.toString(), "backup", "--out", out.toString()).exitCode());
    JsonNode m;
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(out))) {
      ZipEntry e;
      do {
        e = in.getNextEntry();
      } while (!e.getName().equals("certkeeper-backup.json"));
      m = Json.mapper().readTree(in.readAllBytes());
    }
    assertEquals(2, m.get("format").asInt());
    assertTrue(m.get("links").isArray(), m.toString());
    assertEquals("certkeeper.mv.db", m.at("/files/0/path").asText());
    assertEquals(64, m.at("/files/0/sha256").asText().length());
    assertFalse(m.get("schemaVersion").asText().isEmpty());
  }

  @Test
  void managedGenerationsAreBackedUpWithTheCurrentLinkInTheManifest() throws Exception {
    Path data = dir.resolve("data");
    CliRunner.run("--data-dir", data.toString(), "endpoint", "add", "a.example:443");
    Path gen = Files.createDirectories(data.resolve("managed/web/generations/a1"));
    for (String f : List.of("key.pem", "cert.pem", "chain.pem", "fullchain.pem")) {
      Files.writeString(gen.resolve(f), f + "\n");
    }
    Files.createSymbolicLink(data.resolve("managed/web/current"), Path.of("generations/a1"));
    Path out = dir.resolve("b.zip");
    CliRunner.Run r = CliRunner.run("--data-dir", data.toString(), "backup", "--out", out.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains(", 0 CA files and 1 managed certificates (1 generations)"), r.out());
    assertEquals(List.of("certkeeper.mv.db", "store.secret", "managed/web/generations/a1/key.pem",
        "managed/web/generations/a1/cert.pem", "managed/web/generations/a1/chain.pem",
        "managed/web/generations/a1/fullchain.pem", "certkeeper-backup.json"), entries(out));
    JsonNode m;
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(out))) {
      ZipEntry e;
      do {
        e = in.getNextEntry();
      } while (!e.getName().equals("certkeeper-backup.json"));
      m = Json.mapper().readTree(in.readAllBytes());
    }
    assertEquals("managed/web/current", m.at("/links/0/path").asText(), m.toString());
    assertEquals("generations/a1", m.at("/links/0/target").asText(), m.toString());
  }

  @Test
  void aPostgresqlStoreIsReferredToPgDump() throws Exception {
    Path cfg = dir.resolve("certkeeper.yaml");
    Files.writeString(cfg, "store:\n  url: jdbc:postgresql://127.0.0.1:1/certkeeper\n");
    CliRunner.Run r = CliRunner.run("--config", cfg.toString(), "--data-dir", dir.toString(), "backup", "--out",
        dir.resolve("b.zip").toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().startsWith("certkeeper: the store is PostgreSQL: back it up with pg_dump"), r.err());
    assertFalse(Files.exists(dir.resolve("b.zip")));
  }

  @Test
  void anEmptyDataDirIsAnErrorNotAnEmptyBackup() {
    CliRunner.Run r = CliRunner.run("--data-dir", dir.resolve("nothing").toString(), "backup", "--out",
        dir.resolve("b.zip").toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("no store in " + dir.resolve("nothing")), r.err());
    assertFalse(Files.exists(dir.resolve("nothing")), "no data dir created");
  }
}
