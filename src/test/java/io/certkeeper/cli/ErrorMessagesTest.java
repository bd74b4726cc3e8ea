package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.testing.FreePorts;
import io.certkeeper.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real failures (a name that does not resolve, a closed port, missing and garbage files) read as plain words. */
class ErrorMessagesTest {
  /** Java's words: class names, InetSocketAddress.toString, Netty's resolver details. */
  static final Pattern INTERNALS = Pattern.compile("Exception|java\\.|io\\.netty|(^|[\\s(])[\\w.-]*/\\d+\\.\\d+\\.\\d+\\.\\d+:"
      + "|\\[A\\(1\\)|Failed to resolve");

  @TempDir Path dir;

  private CliRunner.Run cli(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--data-dir";
    all[1] = dir.resolve("data").toString();
    System.arraycopy(args, 0, all, 2, args.length);
    CliRunner.Run r = CliRunner.run(all);
    assertFalse(INTERNALS.matcher(r.out() + r.err()).find(), r.out() + r.err());
    return r;
  }

  @Test
  void aClosedLoopbackPortIsConnectionRefusedByTheAddress() throws Exception {
    int port = FreePorts.next();
    CliRunner.Run human = cli("probe", "--no-store", "127.0.0.1:" + port);
    assertEquals(2, human.exitCode());
    assertTrue(human.out().contains("\n         127.0.0.1:" + port + " connect: connection refused by 127.0.0.1:" + port + "\n"),
        human.out());
    JsonNode json = Json.mapper().readTree(cli("probe", "--no-store", "--json", "127.0.0.1:" + port).out()).get(0);
    assertEquals("127.0.0.1:" + port + " connect: connection refused by 127.0.0.1:" + port, json.get("message").asText());
  }

  @Test
  void anUnresolvableNameIsCannotResolveHost() throws Exception {
    JsonNode json = Json.mapper().readTree(cli("probe", "--no-store", "--json", "no-such-host.invalid").out()).get(0);
    assertEquals("dns_error", json.get("status").asText());
    String m = json.get("message").asText();
    assertTrue(m.equals("no-such-host.invalid:443 dns: cannot resolve host no-such-host.invalid")
        || m.startsWith("no-such-host.invalid:443 dns: no answer for no-such-host.invalid within "), m);
  }

  @Test
  void missingFilesAreNamedWithTheReason() {
    Path missing = dir.resolve("missing.txt");
    CliRunner.Run probe = cli("probe", "--targets-file", missing.toString());
    assertEquals(3, probe.exitCode());
    assertEquals("certkeeper: --targets-file: cannot read " + missing + ": no such file or directory\n", probe.err());

    CliRunner.Run ca = cli("probe", "--ca-file", missing.toString(), "127.0.0.1:1");
    assertEquals("certkeeper: --ca-file: " + missing + ": no such file or directory\n", ca.err());

    CliRunner.Run imp = cli("endpoint", "import", "--targets-file", missing.toString());
    assertEquals("certkeeper: cannot read targets file " + missing + ": no such file or directory\n", imp.err());

  }

  @Test
  void aWriteBelowAFileNamesBothPaths() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    CliRunner.Run metrics = cli("metrics", "--out", file.resolve("m.prom").toString());
    assertEquals(1, metrics.exitCode());
    assertEquals("certkeeper: cannot write " + file.resolve("m.prom") + ": " + file + ": already exists\n", metrics.err());
  }

  @Test
  void aGarbageCaFileIsNamed() throws Exception {
    Path garbage = dir.resolve("garbage.pem");
    Files.write(garbage, new byte[] {0, 1, 2, 3, 'x'});
    CliRunner.Run r = cli("probe", "--ca-file", garbage.toString(), "127.0.0.1:1");
    assertEquals(3, r.exitCode());
    assertTrue(r.err().startsWith("certkeeper: --ca-file: " + garbage + ": "), r.err());
  }

  @Test
  void aConfigurationFileThatIsADirectoryIsNamed() throws Exception {
    Path d = Files.createDirectories(dir.resolve("conf.d"));
    CliRunner.Run r = CliRunner.run("--config", d.toString(), "config", "check");
    assertEquals(ExitCodes.CONFIG, r.exitCode());
    assertEquals("certkeeper: " + d + ": not a regular file; not a configuration file\n", r.err());
  }

  @Test
  void aDefectIsReportedWithoutJavasWordsForIt() {
    String m = Main.message(new NullPointerException("Cannot invoke \"String.length()\" because \"s\" is null"));
    assertEquals("internal error; run the command again with --verbose to see where, and report it", m);
    assertEquals("/x: permission denied", Main.message(new java.nio.file.AccessDeniedException("/x")));
  }
}
