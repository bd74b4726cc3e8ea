package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.testing.ExternalTool;
import io.certkeeper.testing.OpenSsl;
import io.certkeeper.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code files:} in the inventory, through the CLI on a real store with files made by openssl and
 * keytool: globs and a named file, every format, a wrong password and a missing file as problems
 * on those files, {@code list --source file}, {@code status}, the metrics (judged by promtool when
 * it is installed), and rescans that see a changed file and forget a removed one.
 */
class FilesCommandTest {
  @TempDir Path dir;

  private void cert(String name, int days) throws Exception {
    OpenSsl.run(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
        name + ".key", "-out", name + ".pem", "-subj", "/CN=" + name + ".example", "-days", String.valueOf(days))
        .requireSuccess();
  }

  private CliRunner.Run cli(Path conf, String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--config";
    all[1] = conf.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return CliRunner.run(Map.of("KS_PASS", "s3cret", "WRONG", "nope"), Clock.systemUTC(), all);
  }

  @Test
  void filesAreInTheInventoryWithTheirProblems() throws Exception {
    cert("soon", 5);
    cert("month", 20);
    cert("year", 365);
    Path tls = Files.createDirectories(dir.resolve("etc/tls/sub"));
    Files.writeString(tls.resolve("bundle.pem"), Files.readString(dir.resolve("soon.pem"))
        + Files.readString(dir.resolve("year.pem")));
    Files.copy(dir.resolve("soon.key"), tls.resolve("soon-key.pem")); // a key: matched by the glob, skipped
    Path apps = Files.createDirectories(dir.resolve("opt/app"));
    OpenSsl.run(dir, "pkcs12", "-export", "-in", "year.pem", "-inkey", "year.key", "-name", "app", "-passout",
        "pass:s3cret", "-out", apps.resolve("app.p12").toString()).requireSuccess();
    ExternalTool.Result keytool = ExternalTool.run(dir, "keytool", "-importcert", "-noprompt", "-alias", "partner",
        "-file", dir.resolve("month.pem").toString(), "-keystore", apps.resolve("trust.jks").toString(),
        "-storetype", "JKS", "-storepass", "s3cret");
    assertTrue(keytool.ok(), keytool.output());
    Path other = Files.createDirectories(dir.resolve("other"));
    Files.copy(apps.resolve("app.p12"), other.resolve("locked.p12"));
    Files.writeString(dir.resolve("ks-pass"), "s3cret\n");
    Files.writeString(dir.resolve("wrong-pass"), "nope\n");
    Path conf = dir.resolve("certkeeper.yaml");
    Files.writeString(conf, "data-dir: " + dir.resolve("data") + "\nnode: n1\nfiles:\n"
        + "  - paths: [\"" + dir + "/etc/tls/**/*.pem\", \"" + apps + "/*.{p12,jks}\", \"" + dir + "/gone.pem\"]\n"
        + "    password: file:" + dir.resolve("ks-pass") + "\n"
        + "    labels: {team: web}\n"
        + "    owners: [web@example.com]\n"
        + "  - paths: [other/locked.p12]\n"
        + "    password: file:" + dir.resolve("wrong-pass") + "\n"
        + "    rescan: 1m\n");

    CliRunner.Run check = cli(conf, "config", "check");
    assertEquals(0, check.exitCode(), check.err());
    assertTrue(check.out().contains(other.resolve("locked.p12").toString()), "relative paths resolved: " + check.out());

    CliRunner.Run rescan = cli(conf, "files", "rescan");
    assertEquals(2, rescan.exitCode(), rescan.out() + rescan.err());
    assertEquals("5 files matched, 5 read, 2 with problems, 0 forgotten\n", rescan.out(), cli(conf, "files").out());

    CliRunner.Run listed = cli(conf, "files", "--json");
    assertEquals(2, listed.exitCode(), "problems and a certificate within 7 days: " + listed.out() + listed.err());
    List<String> seen = new ArrayList<>();
    for (JsonNode f : Json.mapper().readTree(listed.out())) {
      StringBuilder sb = new StringBuilder(dir.relativize(Path.of(f.get("path").asText())) + " " + f.get("status").asText());
      if (!f.get("problemCode").isNull()) {
        sb.append(" ").append(f.get("problemCode").asText());
      }
      for (JsonNode c : f.get("certificates")) {
        sb.append(" ").append(c.get("place").asText()).append("=").append(c.get("subject").asText());
      }
      seen.add(sb.toString());
    }
    assertEquals(List.of(
        "etc/tls/sub/bundle.pem critical #1=CN=soon.example #2=CN=year.example",
        "gone.pem problem missing",
        "opt/app/app.p12 ok app=CN=year.example",
        "opt/app/trust.jks warning partner=CN=month.example",
        "other/locked.p12 problem wrong_password"), seen);
    assertTrue(listed.out().contains("\"team\" : \"web\""), listed.out());

    CliRunner.Run table = cli(conf, "files");
    assertTrue(table.out().contains("wrong_password: "), table.out());
    assertTrue(table.out().contains("bundle.pem #2"), table.out());

    // the inventory: every certificate of the files, source file
    CliRunner.Run list = cli(conf, "list", "--source", "file", "--json");
    assertEquals(0, list.exitCode(), list.err());
    JsonNode certs = Json.mapper().readTree(list.out());
    assertEquals(3, certs.size(), "soon, month and year, each once: " + certs);
    for (JsonNode c : certs) {
      assertEquals("file", c.get("source").asText());
    }
    assertEquals(0, Json.mapper().readTree(cli(conf, "list", "--observed", "--json").out()).size());
    CliRunner.Run bad = cli(conf, "list", "--source", "nope");
    assertEquals(ExitCodes.USAGE, bad.exitCode());
    assertTrue(bad.err().contains("--source must be issued, observed or file"), bad.err());
    CliRunner.Run status = cli(conf, "status");
    assertTrue(status.out().contains("certificates: 3 (issued 0, observed 0, in files only 3)"), status.out());
    assertTrue(status.out().contains("files:        5 watched, 2 with problems, 0 stale deploys"), status.out());

    // metrics: a series per certificate in a file, one per problem
    CliRunner.Run metrics = cli(conf, "metrics");
    assertEquals(0, metrics.exitCode(), metrics.err());
    assertTrue(metrics.out().contains("certkeeper_file_certificate_not_after_timestamp_seconds{path=\""
        + tls.resolve("bundle.pem") + "\",place=\"#2\",subject=\"year.example\""), metrics.out());
    assertTrue(metrics.out().contains("certkeeper_file_problem{path=\"" + other.resolve("locked.p12")
        + "\",code=\"wrong_password\"} 1"), metrics.out());
    assertTrue(metrics.out().contains("# TYPE certkeeper_renewals_total counter"), metrics.out());
    io.certkeeper.testing.PrometheusText.checkWithPromtool(dir, metrics.out());

    // a changed file is read again; a removed one is forgotten; an unchanged one is not read
    Files.writeString(tls.resolve("bundle.pem"), Files.readString(dir.resolve("year.pem")));
    Files.delete(apps.resolve("trust.jks"));
    // another process: every file is read again (a daemon remembers what it read)
    rescan = cli(conf, "files", "rescan");
    assertEquals("4 files matched, 4 read, 2 with problems, 1 forgotten\n", rescan.out(), rescan.err());
    seen.clear();
    for (JsonNode f : Json.mapper().readTree(cli(conf, "files", "--json").out())) {
      seen.add(dir.relativize(Path.of(f.get("path").asText())) + " " + f.get("certificates").size());
    }
    assertEquals(List.of("etc/tls/sub/bundle.pem 1", "gone.pem 0", "opt/app/app.p12 1", "other/locked.p12 0"), seen);
  }
}
