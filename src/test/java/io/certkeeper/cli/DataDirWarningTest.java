package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code status} says when others may enter the data directory, and how to fix it. */
@Tag("security")
class DataDirWarningTest {
  @TempDir Path dir;

  @Test
  void statusWarnsWhenTheDataDirIsGroupOrWorldAccessible() throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectory(data);
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-x---"));
    String warning = "data dir " + data + " is group/world-accessible (0750): chmod 700 " + data;

    CliRunner.Run human = CliRunner.run("--data-dir", data.toString(), "status");
    assertEquals(0, human.exitCode(), human.err());
    assertEquals(1, human.out().lines().filter(l -> l.startsWith("warning:")).count(), human.out());
    assertTrue(human.out().contains("warning:      " + warning + "\n"), human.out());

    CliRunner.Run json = CliRunner.run("--data-dir", data.toString(), "status", "--json");
    assertEquals(0, json.exitCode(), json.err());
    JsonNode doc = Json.mapper().readTree(json.out());
    assertEquals(1, doc.get("warnings").size(), json.out());
    assertEquals(warning, doc.at("/warnings/0").asText());
  }

  @Test
  void anOwnerOnlyDataDirGivesNoWarning() throws Exception {
    Path data = dir.resolve("data");
    CliRunner.Run human = CliRunner.run("--data-dir", data.toString(), "status");
    assertEquals(0, human.exitCode(), human.err());
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
    assertFalse(human.out().contains("warning:"), human.out());
    JsonNode doc = Json.mapper().readTree(CliRunner.run("--data-dir", data.toString(), "status", "--json").out());
    assertEquals(0, doc.get("warnings").size());
  }
}
