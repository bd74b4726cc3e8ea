package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EndpointCommandTest {
  @TempDir Path dir;

  private CliRunner.Run run(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--data-dir";
    all[1] = dir.resolve("data").toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return CliRunner.run(all);
  }

  @Test
  void addShowListRemove() throws Exception {
    CliRunner.Run add = run("endpoint", "add", "https://API.example.com", "--servername", "api.internal",
        "--every", "2m", "--warning", "21d", "--label", "env=prod", "--owner", "ops@example.com");
    assertEquals(0, add.exitCode(), add.err());
    assertEquals("added api.example.com:443;sni=api.internal (every 2m)\n", add.out());

    CliRunner.Run again = run("endpoint", "add", "api.example.com:443", "--servername", "api.internal");
    assertEquals(1, again.exitCode());
    assertEquals("certkeeper: endpoint api.example.com:443;sni=api.internal exists already\n", again.err());

    JsonNode shown = Json.mapper().readTree(run("endpoint", "show", "api.example.com:443;sni=api.internal", "--json").out());
    assertEquals("every 2m", shown.get("schedule").asText());
    assertEquals("21d", shown.get("warning").asText());
    assertEquals("prod", shown.at("/labels/env").asText());
    assertEquals("pending", shown.get("status").asText());
    assertEquals("cli", shown.get("origin").asText());

    assertEquals(1, Json.mapper().readTree(run("endpoint", "list", "--json").out()).size());
    CliRunner.Run rm = run("endpoint", "remove", "api.example.com:443;sni=api.internal");
    assertEquals(0, rm.exitCode(), rm.err());
    assertEquals(0, Json.mapper().readTree(run("endpoint", "list", "--json").out()).size());
    assertEquals(1, run("endpoint", "remove", "api.example.com:443;sni=api.internal").exitCode());
  }

  @Test
  void importReadsATargetsFileAndSkipsExistingOnes() throws Exception {
    Path f = dir.resolve("targets.txt");
    Files.writeString(f, "# fleet\na.example\nb.example:8443   # canary\n\n[::1]:443\n");
    run("endpoint", "add", "a.example");
    CliRunner.Run r = run("endpoint", "import", "--targets-file", f.toString(), "--cron", "0 0 * * * ?");
    assertEquals(0, r.exitCode(), r.err());
    assertEquals("imported 2 endpoints from " + f + " (1 existed already)\n", r.out());
    JsonNode list = Json.mapper().readTree(run("endpoint", "list", "--json").out());
    assertEquals(3, list.size());
    assertEquals("cron 0 0 * * * ?", list.get(0).get("schedule").asText());
  }

  @Test
  void badInputIsAClearErrorAndNothingIsWritten() throws Exception {
    Path f = dir.resolve("targets.txt");
    Files.writeString(f, "a.example\nnot a target\n");
    CliRunner.Run r = run("endpoint", "import", "--targets-file", f.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().startsWith("certkeeper: " + f + ":2: target 'not a target'"), r.err());
    assertEquals(1, run("endpoint", "add", "x.example", "--every", "10").exitCode());
    assertEquals(1, run("endpoint", "add", "x.example", "--cron", "bogus").exitCode());
    assertEquals(1, run("endpoint", "add", "x.example", "--starttls", "smpt").exitCode());
    assertEquals(0, Json.mapper().readTree(run("endpoint", "list", "--json").out()).size());
  }

  @Test
  void configDeclaredEndpointsAreRemovedFromTheFileNotTheCli() throws Exception {
    Path cfg = dir.resolve("c.yaml");
    Files.writeString(cfg, "endpoints:\n  - a.example\n");
    // the daemon syncs the file on start; do what it does through the store
    io.certkeeper.config.Config c = io.certkeeper.config.ConfigLoader.load(cfg);
    try (io.certkeeper.store.Store store = io.certkeeper.store.Store.openEmbedded(dir.resolve("data"), 2)) {
      var e = c.endpoints().get(0);
      new io.certkeeper.store.EndpointRepository(store).syncConfig("node-a", java.util.List.of(new io.certkeeper.store.EndpointRow(
          e.id(), e.target().toString(), io.certkeeper.store.EndpointRow.CONFIG, e.group(),
          io.certkeeper.config.EndpointCodec.toJson(e), java.time.Instant.now(), java.time.Instant.now())),
          java.time.Instant.now());
    }
    CliRunner.Run r = run("endpoint", "remove", "a.example");
    assertEquals(1, r.exitCode());
    assertEquals("certkeeper: endpoint a.example:443 is declared in the configuration file; remove it there and reload\n",
        r.err());
  }
}
