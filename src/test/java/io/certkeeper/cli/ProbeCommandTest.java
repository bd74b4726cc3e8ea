package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.testing.OpenSsl;
import io.certkeeper.testing.OpenSslServer;
import io.certkeeper.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProbeCommandTest {
  @TempDir static Path dir;
  private OpenSslServer longLived;
  private OpenSslServer shortLived;

  @BeforeAll
  void servers() throws Exception {
    OpenSsl.selfSigned(dir, "long", "localhost", 200);
    OpenSsl.selfSigned(dir, "short", "localhost", 20);
    longLived = OpenSslServer.start(dir, "-cert", dir.resolve("long.pem").toString(), "-key", dir.resolve("long.key").toString());
    shortLived = OpenSslServer.start(dir, "-cert", dir.resolve("short.pem").toString(), "-key", dir.resolve("short.key").toString());
  }

  @AfterAll
  void stop() {
    longLived.close();
    shortLived.close();
  }

  private CliRunner.Run probe(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "--data-dir";
    all[1] = dir.resolve("data").toString();
    all[2] = "probe";
    System.arraycopy(args, 0, all, 3, args.length);
    return CliRunner.run(all);
  }

  @Test
  void trustedEndpointIsOkWithExit0AndIsRecorded() throws Exception {
    CliRunner.Run r = probe("--no-system-trust", "--ca-file", dir.resolve("long.pem").toString(), "--json",
        "localhost:" + longLived.port());
    assertEquals(0, r.exitCode(), r.out() + r.err());
    JsonNode result = Json.mapper().readTree(r.out()).get(0);
    assertEquals("ok", result.get("status").asText());
    assertTrue(result.get("validPath").asBoolean());
    assertEquals("localhost", result.get("servername").asText());
    assertTrue(result.get("daysLeft").asInt() >= 198, result.toString());
    assertEquals("CN=localhost", result.at("/chain/0/subject").asText());

    CliRunner.Run history = CliRunner.run("--data-dir", dir.resolve("data").toString(), "endpoint", "history",
        "localhost:" + longLived.port(), "--json");
    JsonNode h = Json.mapper().readTree(history.out());
    assertEquals("ok", h.at("/results/0/status").asText(), history.out());
  }

  @Test
  void expiringWithinWarningIsExit1AndWithinCriticalIsExit2() {
    String target = "localhost:" + shortLived.port();
    String ca = dir.resolve("short.pem").toString();
    assertEquals(1, probe("--no-store", "--ca-file", ca, target).exitCode());
    assertEquals(2, probe("--no-store", "--ca-file", ca, "--critical", "25d", target).exitCode());
    assertEquals(0, probe("--no-store", "--ca-file", ca, "--warning", "10d", target).exitCode());
  }

  @Test
  void untrustedAndRefusedAreCriticalAndNamed() throws Exception {
    CliRunner.Run r = probe("--no-store", "--no-system-trust", "--json", "localhost:" + longLived.port(), "127.0.0.1:1");
    assertEquals(2, r.exitCode());
    JsonNode a = Json.mapper().readTree(r.out());
    assertEquals("self_signed", a.get(0).get("status").asText());
    assertEquals("refused", a.get(1).get("status").asText());
    assertTrue(a.get(1).get("message").asText().contains("127.0.0.1:1"), a.get(1).toString());
  }

  @Test
  void usageErrorsExit3() throws Exception {
    CliRunner.Run bad = probe("bad:port");
    assertEquals(3, bad.exitCode());
    assertEquals("certkeeper: target 'bad:port': port 'port' is not a number\n", bad.err());
    assertEquals(3, probe().exitCode());
    assertEquals(3, probe("--jsn", "x:1").exitCode());
    Path file = dir.resolve("targets.txt");
    Files.writeString(file, "# list\nlocalhost:1\nnot valid\n");
    CliRunner.Run f = probe("--targets-file", file.toString());
    assertEquals(3, f.exitCode());
    assertTrue(f.err().startsWith("certkeeper: " + file + ":3: "), f.err());
  }

  @Test
  void targetsFileProbesEveryLine() throws Exception {
    Path file = dir.resolve("many.txt");
    Files.writeString(file, "localhost:" + longLived.port() + "  # a\nlocalhost:" + shortLived.port() + "\n");
    CliRunner.Run r = probe("--no-store", "--json", "--targets-file", file.toString());
    assertEquals(2, Json.mapper().readTree(r.out()).size(), r.out());
  }
}
