package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.testing.ExternalTool;
import io.certkeeper.testing.OpenSsl;
import io.certkeeper.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code certkeeper scan} over files made by openssl and keytool: a PEM bundle, DER, PKCS#12 and
 * JKS, each certificate judged by its expiry with its place in the file; a directory's keys and
 * text are skipped; garbage and a wrong password are a problem on that file (exit 3).
 */
class ScanCommandTest {
  @TempDir Path dir;

  private void cert(String name, int days) throws Exception {
    OpenSsl.run(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
        name + ".key", "-out", name + ".pem", "-subj", "/CN=" + name + ".example", "-days", String.valueOf(days))
        .requireSuccess();
  }

  @Test
  void everyFormatIsReadAndEachCertificateJudged() throws Exception {
    cert("soon", 5);
    cert("month", 20);
    cert("year", 365);
    Path certs = Files.createDirectories(dir.resolve("certs"));
    Files.writeString(certs.resolve("bundle.pem"), Files.readString(dir.resolve("soon.pem"))
        + Files.readString(dir.resolve("year.pem")));
    OpenSsl.run(dir, "x509", "-in", "month.pem", "-outform", "DER", "-out", certs.resolve("month.der").toString())
        .requireSuccess();
    OpenSsl.run(dir, "pkcs12", "-export", "-in", "year.pem", "-inkey", "year.key", "-name", "app", "-passout",
        "pass:s3cret", "-out", certs.resolve("app.p12").toString()).requireSuccess();
    ExternalTool.Result keytool = ExternalTool.run(dir, "keytool", "-importcert", "-noprompt", "-alias", "partner",
        "-file", dir.resolve("month.pem").toString(), "-keystore", certs.resolve("trust.jks").toString(),
        "-storetype", "JKS", "-storepass", "s3cret");
    assertTrue(keytool.ok(), keytool.output());
    Files.copy(dir.resolve("soon.key"), certs.resolve("soon.key"));
    Files.writeString(certs.resolve("README"), "not a certificate\n");

    CliRunner.Run r = CliRunner.run(Map.of("KS_PASS", "s3cret"), java.time.Clock.systemUTC(), "scan",
        certs.toString(), "--password", "env:KS_PASS", "--json");
    assertEquals(2, r.exitCode(), "a certificate within the critical threshold: " + r.out() + r.err());
    JsonNode json = Json.mapper().readTree(r.out());
    assertEquals(0, json.get("problems").size(), json.toString());
    List<String> seen = new ArrayList<>();
    for (JsonNode c : json.get("certificates")) {
      seen.add(Path.of(c.get("path").asText()).getFileName() + " " + c.get("where").asText() + " "
          + c.get("format").asText() + " " + c.get("status").asText() + " " + c.get("subject").asText());
    }
    assertEquals(List.of(
        "bundle.pem #1 PEM critical CN=soon.example",
        "month.der #1 DER warning CN=month.example",
        "trust.jks partner JKS warning CN=month.example",
        "app.p12 app PKCS12 ok CN=year.example",
        "bundle.pem #2 PEM ok CN=year.example"), seen, "soonest expiry first");

    // the table: one line each, and what was skipped
    CliRunner.Run table = CliRunner.run(Map.of("KS_PASS", "s3cret"), java.time.Clock.systemUTC(), "scan",
        certs.toString(), "--password", "env:KS_PASS");
    assertTrue(table.out().contains("5 certificates in 4 files; 0 files could not be read; 2 other files"
        + " (no certificates) skipped"), table.out());

    // named files are not skipped: garbage, and a PKCS#12 without its password, are problems (exit 3)
    CliRunner.Run bad = CliRunner.run("scan", certs.resolve("README").toString(), certs.resolve("app.p12").toString(),
        certs.resolve("month.der").toString());
    assertEquals(3, bad.exitCode(), bad.out() + bad.err());
    assertTrue(bad.err().contains("README: not a certificate file"), bad.err());
    assertTrue(bad.err().contains("app.p12: PKCS#12: wrong password (none given)"), bad.err());
    assertTrue(bad.out().contains("CN=month.example"), "the readable one is still listed: " + bad.out());

    CliRunner.Run ok = CliRunner.run("scan", certs.resolve("month.der").toString(), "--warning", "10d");
    assertEquals(0, ok.exitCode(), ok.out() + ok.err());
  }
}
