package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
  @TempDir Path dir;

  @Test
  void versionAndHelp() {
    CliRunner.Run r = CliRunner.run("--version");
    assertEquals(0, r.exitCode());
    assertTrue(r.out().startsWith("certkeeper "), r.out());
    for (String[] cmd : new String[][] {{"--help"}, {"daemon", "--help"}, {"config", "check", "--help"}, {"status", "--help"}}) {
      CliRunner.Run h = CliRunner.run(cmd);
      assertEquals(0, h.exitCode(), String.join(" ", cmd));
      assertTrue(h.out().startsWith("Usage: certkeeper"), h.out());
    }
  }

  @Test
  void unknownOptionIsAUsageErrorWithExit1() {
    CliRunner.Run r = CliRunner.run("status", "--jsn");
    assertEquals(ExitCodes.USAGE, r.exitCode());
    assertTrue(r.err().startsWith("certkeeper: Unknown option: '--jsn'"), r.err());
  }

  @Test
  void configCheckPrintsEffectiveConfig() throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "data-dir: data\nstore:\n  password: env:DBPW\n");
    CliRunner.Run r = CliRunner.run("--config", f.toString(), "config", "check", "--json");
    assertEquals(0, r.exitCode(), r.err());
    JsonNode doc = Json.mapper().readTree(r.out());
    assertTrue(doc.get("valid").asBoolean());
    // a relative data-dir is relative to the configuration file
    assertEquals(dir.resolve("data").toString(), doc.get("dataDir").asText());
    assertEquals("env:DBPW", doc.at("/config/store/password").asText());
    assertEquals(10, doc.at("/config/store/pool-size").asInt());
  }

  @Test
  void configErrorIsOneLineOnStderrWithExit2() throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "log:\n  levle: info\n");
    CliRunner.Run r = CliRunner.run("--config", f.toString(), "config", "check");
    assertEquals(ExitCodes.CONFIG, r.exitCode());
    assertEquals("certkeeper: " + f + ":2: unknown key 'levle' in log (did you mean 'level'?)\n", r.err());
    assertEquals("", r.out());
  }

  @Test
  void configFromEnvironmentVariableMustExist() {
    Path missing = dir.resolve("missing.yaml");
    CliRunner.Run r = CliRunner.run(Map.of("CERTKEEPER_CONFIG", missing.toString()), Clock.systemUTC(), "config", "check");
    assertEquals(ExitCodes.CONFIG, r.exitCode());
    assertEquals("certkeeper: " + missing + ": no such configuration file\n", r.err());
  }

  @Test
  void dataDirComesFromStateDirectoryWhenNothingElseNamesIt() throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "log:\n  level: warn\n");
    CliRunner.Run r = CliRunner.run(Map.of("STATE_DIRECTORY", dir.resolve("state").toString()), Clock.systemUTC(),
        "--config", f.toString(), "config", "check", "--json");
    assertEquals(dir.resolve("state").toString(), Json.mapper().readTree(r.out()).get("dataDir").asText());
  }

  @Test
  void statusOnAFreshStore() throws Exception {
    CliRunner.Run r = CliRunner.run("--data-dir", dir.toString(), "status", "--json");
    assertEquals(0, r.exitCode(), r.err());
    JsonNode doc = Json.mapper().readTree(r.out());
    assertEquals("never", doc.at("/daemon/state").asText());
    assertEquals(0, doc.at("/certificates/total").asInt());
    assertEquals(io.certkeeper.testing.Migrations.latest(), doc.at("/store/schemaVersion").asText());
    CliRunner.Run human = CliRunner.run("--data-dir", dir.toString(), "status");
    assertTrue(human.out().contains("daemon:       never started on this store"), human.out());
  }

  @Test
  void stackTracesOnlyWithVerbose() throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "store:\n  url: jdbc:postgresql://127.0.0.1:1/x\n");
    CliRunner.Run quiet = CliRunner.run("--config", f.toString(), "status");
    assertEquals(ExitCodes.USAGE, quiet.exitCode());
    assertEquals(1, quiet.err().lines().count(), quiet.err());
    assertTrue(quiet.err().startsWith("certkeeper: cannot open the store at jdbc:postgresql://127.0.0.1:1/x"), quiet.err());
    CliRunner.Run loud = CliRunner.run("-v", "--config", f.toString(), "status");
    assertTrue(loud.err().lines().count() > 3, loud.err());
    assertFalse(loud.err().isBlank());
  }
}
