package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.store.Store;
import io.certkeeper.util.Json;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory written by the previous release (H2 2.3.232, schema version 8; see the fixture's
 * README.txt) opens with this one: commands refuse it until {@code migrate} upgrades the schema,
 * then every command reads what the old one wrote, and the store takes new writes and opens again
 * after them.
 */
class StoreFromEarlierVersionTest {
  private static final String FIXTURE = "store-h2-2.3.232";
  private static final String ENDPOINT = "127.0.0.1:35967;sni=localhost";
  private static final String REVOKED_SERIAL = "46d1ba68fc3431117cb269c641a48df7";
  /** A day after the fixture was made: every certificate in it is still valid. */
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;
  Path data;
  Path config;

  @BeforeEach
  void copyTheFixture() throws Exception {
    Path fixture = Path.of(StoreFromEarlierVersionTest.class.getResource(FIXTURE).toURI());
    data = dir.resolve("data");
    copyOwnerOnly(fixture.resolve("data"), data);
    Path passphrase = dir.resolve("ca-passphrase");
    Files.copy(fixture.resolve("ca-passphrase"), passphrase);
    Files.setPosixFilePermissions(passphrase, PosixFilePermissions.fromString("rw-------"));
    config = dir.resolve("certkeeper.yaml");
    Files.writeString(config, "ca:\n  passphrase: file:" + passphrase + "\n");
  }

  @Test
  void theFixtureWasWrittenByH2_2_3_232() throws Exception {
    String db = Files.readString(fixtureFile("data/certkeeper.mv.db"), StandardCharsets.ISO_8859_1);
    assertTrue(db.startsWith("H:2,") && db.contains(",format:3,"), "an MVStore file of format 3");
    assertTrue(db.contains("CREATE_BUILD 232"), "created by H2 2.3.232");
  }

  @Test
  void commandsRefuseTheEarlierSchemaUntilMigrateUpgradesIt() throws Exception {
    for (String[] command : List.of(new String[] {"status"}, new String[] {"list"}, new String[] {"ca", "show"})) {
      CliRunner.Run refused = run(command);
      assertTrue(refused.exitCode() != 0, String.join(" ", command) + ": " + refused.out());
      assertTrue(refused.err().contains("has schema version 8, this certkeeper needs " + Store.SCHEMA_VERSION
          + ": run 'certkeeper migrate'"), refused.err());
    }
    CliRunner.Run migrate = run("migrate");
    assertEquals(0, migrate.exitCode(), migrate.err());
    assertEquals("store schema: version " + Store.SCHEMA_VERSION + " (was 8)", migrate.out().strip());
    CliRunner.Run again = run("migrate");
    assertEquals("store schema: version " + Store.SCHEMA_VERSION + ", nothing to do", again.out().strip());
  }

  @Test
  void statusReadsTheEarlierStoreAndItsSchemaIsMigratedToTheCurrentVersion() throws Exception {
    migrate();
    JsonNode status = json("status", "--json");
    assertEquals(Store.SCHEMA_VERSION, status.path("store").path("schemaVersion").asText(), status.toString());
    assertEquals(5, status.path("certificates").path("total").asInt(), status.toString());
    assertEquals("stopped", status.path("daemon").path("state").asText(), "the old daemon's clean stop");
    assertEquals(ENDPOINT, status.path("endpoints").path(0).path("id").asText(), status.toString());
    assertEquals("ok", status.path("endpoints").path(0).path("status").asText(), status.toString());
    assertEquals("web-echo", status.path("listeners").path(0).path("name").asText(), status.toString());
  }

  @Test
  void theCertificatesTheCaAndTheRevocationReadAsTheEarlierVersionWroteThem() throws Exception {
    migrate();
    JsonNode list = json("list", "--json");
    assertEquals(5, list.size(), list.toString());
    JsonNode revoked = find(list, REVOKED_SERIAL);
    assertEquals("revoked", revoked.path("status").asText(), revoked.toString());
    assertEquals("keyCompromise", revoked.path("revocationReason").asText(), revoked.toString());
    assertEquals("valid", find(list, "9f56af5defbde1d6951ecd0b50ee6edc").path("status").asText(), "the managed 'web'");

    CliRunner.Run ca = run("ca", "show");
    assertEquals(0, ca.exitCode(), ca.err());
    assertTrue(ca.out().contains("issued:       3 leaf certificates, 1 revoked"), ca.out());
    assertTrue(ca.out().contains("CRL:          #2"), ca.out());
  }

  @Test
  void probeHistoryAndTheSchedulersJobsReadAsTheEarlierVersionWroteThem() {
    migrate();
    CliRunner.Run ok = run("endpoint", "history", ENDPOINT);
    assertEquals(0, ok.exitCode(), ok.err());
    assertTrue(ok.out().contains("serves CN=localhost"), ok.out());
    CliRunner.Run mismatch = run("endpoint", "history", "127.0.0.1:35967;sni=wrong.example");
    assertEquals(0, mismatch.exitCode(), mismatch.err());
    assertTrue(mismatch.out().contains("hostname_mismatch"), mismatch.out());

    CliRunner.Run schedule = run("schedule");
    assertEquals(0, schedule.exitCode(), schedule.err());
    for (String job : List.of("alert-evaluation", "renewal-check", "housekeeping", ENDPOINT)) {
      assertTrue(schedule.out().contains(job), job + " in\n" + schedule.out());
    }
  }

  @Test
  void theUpgradedStoreTakesNewWritesAndOpensAgainAfterThem() throws Exception {
    migrate();
    CliRunner.Run issue = run("issue", "--cn", "after-upgrade.fixture.test", "--out-dir", dir.resolve("new").toString());
    assertEquals(0, issue.exitCode(), issue.err());
    String serial = issue.out().lines().filter(l -> l.startsWith("serial:")).findFirst().orElseThrow()
        .substring("serial:".length()).strip();
    CliRunner.Run revoke = run("revoke", serial, "--reason", "superseded");
    assertEquals(0, revoke.exitCode(), revoke.err());

    JsonNode list = json("list", "--json");
    assertEquals(6, list.size(), list.toString());
    assertEquals("superseded", find(list, serial).path("revocationReason").asText(), list.toString());
    assertEquals("revoked", find(list, REVOKED_SERIAL).path("status").asText(), "the old revocation is kept");
    assertEquals(Store.SCHEMA_VERSION, json("status", "--json").path("store").path("schemaVersion").asText());
  }

  private void migrate() {
    CliRunner.Run m = run("migrate");
    assertEquals(0, m.exitCode(), m.err());
  }

  private CliRunner.Run run(String... args) {
    List<String> all = new ArrayList<>(List.of("--config", config.toString(), "--data-dir", data.toString()));
    all.addAll(List.of(args));
    return CliRunner.run(Map.of(), CLOCK, all.toArray(new String[0]));
  }

  private JsonNode json(String... args) throws IOException {
    CliRunner.Run r = run(args);
    assertEquals(0, r.exitCode(), String.join(" ", args) + ": " + r.err());
    return Json.mapper().readTree(r.out());
  }

  private static JsonNode find(JsonNode list, String serial) {
    for (JsonNode c : list) {
      if (serial.equals(c.path("serial").asText())) {
        return c;
      }
    }
    throw new AssertionError("no certificate " + serial + " in " + list);
  }

  private static Path fixtureFile(String name) throws URISyntaxException {
    return Path.of(StoreFromEarlierVersionTest.class.getResource(FIXTURE).toURI()).resolve(name);
  }

  /** Copies the tree with the modes certkeeper gives its data directory (folders 0700, files 0600). */
  private static void copyOwnerOnly(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
          Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
        } else {
          Files.copy(p, target);
          Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
        }
      }
    }
  }
}
