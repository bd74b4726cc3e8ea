package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code certkeeper verify} on a root and leaf made with the openssl command line. */
class VerifyCommandTest {
  @TempDir static Path dir;
  private static Path root;
  private static Path leaf;

  @BeforeAll
  static void makeChain() throws Exception {
    Assumptions.assumeTrue(opensslAvailable(), "the openssl command is not installed");
    root = dir.resolve("root.pem");
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "root.key", "-out", "root.pem", "-subj", "/CN=Verify Test Root", "-days", "30",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    Files.writeString(dir.resolve("leaf.ext"), String.join("\n", "[v3]",
        "basicConstraints = critical, CA:FALSE", "keyUsage = critical, digitalSignature",
        "extendedKeyUsage = serverAuth", "subjectAltName = DNS:verify.example.test",
        "subjectKeyIdentifier = hash", "authorityKeyIdentifier = keyid", ""));
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=verify.example.test");
    openssl("x509", "-req", "-in", "leaf.csr", "-CA", "root.pem", "-CAkey", "root.key",
        "-CAcreateserial", "-out", "leaf.pem", "-days", "10", "-extfile", "leaf.ext",
        "-extensions", "v3");
    leaf = dir.resolve("leaf.pem");
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "other.key", "-out", "other.pem", "-subj", "/CN=Another Root", "-days", "30",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign");
  }

  @Test
  void validChainExitsZeroAndPrintsThePathAsJson() throws Exception {
    CliRunner.Run r = CliRunner.run("verify", leaf.toString(), "--trusted", root.toString(),
        "--hostname", "verify.example.test", "--json");

    assertEquals(ExitCodes.OK, r.exitCode(), r.err() + r.out());
    JsonNode doc = Json.mapper().readTree(r.out());
    assertTrue(doc.get("valid").asBoolean());
    assertEquals(0, doc.get("problems").size());
    assertEquals(2, doc.get("path").size());
    assertEquals("CN=verify.example.test", doc.at("/path/0/subject").asText());
    assertEquals(64, doc.at("/path/0/sha256").asText().length());
    assertFalse(doc.at("/path/1/notAfter").asText().isEmpty());
  }

  @Test
  void wrongHostAndLaterTimeExitTwoWithEveryProblem() throws Exception {
    CliRunner.Run r = CliRunner.run("verify", leaf.toString(), "--trusted", root.toString(),
        "--hostname", "other.example.test", "--at", "2099-01-01T00:00:00Z", "--json");

    assertEquals(VerifyCommand.INVALID, r.exitCode(), r.err());
    JsonNode doc = Json.mapper().readTree(r.out());
    assertFalse(doc.get("valid").asBoolean());
    List<String> problems = new ArrayList<>();
    doc.get("problems").forEach(p -> problems.add(p.asText()));
    assertEquals(List.of("expired", "hostname_mismatch"), problems);
  }

  @Test
  void untrustedRootIsReportedInPlainText() {
    CliRunner.Run r = CliRunner.run("verify", leaf.toString(), "--trusted",
        dir.resolve("other.pem").toString(), "--untrusted", root.toString());

    assertEquals(VerifyCommand.INVALID, r.exitCode(), r.err());
    assertTrue(r.out().startsWith("INVALID (untrusted_root)"), r.out());
  }

  @Test
  void missingFileIsAnInputErrorOnOneLine() {
    Path missing = dir.resolve("missing.pem");

    CliRunner.Run r = CliRunner.run("verify", missing.toString(), "--trusted", root.toString());

    assertEquals(ExitCodes.USAGE, r.exitCode());
    assertEquals("certkeeper: " + missing + ": no such file\n", r.err());
  }

  @Test
  void fileWithoutCertificateIsAnInputError() throws Exception {
    Path notPem = dir.resolve("note.txt");
    Files.writeString(notPem, "hello\n");

    CliRunner.Run r = CliRunner.run("verify", notPem.toString(), "--trusted", root.toString());

    assertEquals(ExitCodes.USAGE, r.exitCode());
    assertTrue(r.err().startsWith("certkeeper: " + notPem + ": "), r.err());
  }

  @Test
  void badTimeAndTwoPeerNamesAreUsageErrors() {
    assertEquals(ExitCodes.USAGE, CliRunner.run("verify", leaf.toString(), "--at", "yesterday")
        .exitCode());
    assertEquals(ExitCodes.USAGE, CliRunner.run("verify", leaf.toString(), "--hostname", "a",
        "--ip", "192.0.2.1").exitCode());
  }

  private static boolean opensslAvailable() {
    try {
      return new ProcessBuilder("openssl", "version").redirectErrorStream(true).start()
          .waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static void openssl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("openssl " + String.join(" ", args) + " failed:\n" + output);
    }
  }
}
