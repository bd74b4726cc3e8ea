package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.testing.ExternalTool;
import io.certkeeper.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code issue --batch}: many rows on several threads, every row checked before the first is issued. */
class IssueBatchTest {
  @TempDir static Path shared;
  static ConfiguredCli cli;
  static Path root;

  @TempDir Path dir;

  @BeforeAll
  static void createCa() throws Exception {
    cli = new ConfiguredCli(CaCommandsTest.config(shared, ""), shared.resolve("data"), CaCommandsTest.ENV);
    assertEquals(0, cli.run("ca", "init", "--name", "Batch CA", "--intermediate").code());
    root = shared.resolve("root.pem");
    assertEquals(0, cli.run("ca", "export-root", "--out", root.toString()).code());
  }

  private long issuedInStore() throws Exception {
    ConfiguredCli.Run list = cli.run("list", "--issued", "--json");
    assertEquals(0, list.code(), list.toString());
    return Json.mapper().readTree(list.out()).size();
  }

  @Test
  void everyRowIsIssuedRecordedAndWrittenAndOpensslVerifiesThem() throws Exception {
    StringBuilder tsv = new StringBuilder("# provisioning\nout-dir\tcn\tsans\tprofile\tkey-type\tvalidity\n");
    for (int i = 0; i < 60; i++) {
      tsv.append(dir.resolve("h" + i)).append("\th").append(i).append(".batch.example\t")
          .append(i % 3 == 0 ? "dns:alt" + i + ".batch.example ip:10.0.0." + i : "").append('\t')
          .append(i % 2 == 0 ? "server" : "client").append('\t')
          .append(i % 10 == 0 ? "rsa-2048" : "").append('\t')
          .append(i % 5 == 0 ? "30d" : "").append('\n');
    }
    Path file = dir.resolve("batch.tsv");
    Files.writeString(file, tsv);
    long before = issuedInStore();
    ConfiguredCli.Run r = cli.run("issue", "--batch", file.toString(), "--threads", "4", "--json");
    assertEquals(0, r.code(), r.toString());
    JsonNode issued = Json.mapper().readTree(r.out());
    assertEquals(60, issued.size());
    assertEquals(before + 60, issuedInStore());
    Set<String> serials = new HashSet<>();
    for (JsonNode i : issued) {
      serials.add(i.get("serial").asText());
    }
    assertEquals(60, serials.size());
    Path out = dir.resolve("h3");
    ExternalTool.Result v = ExternalTool.run(dir, "openssl", "verify", "-CAfile", root.toString(),
          "-untrusted", out.resolve("chain.pem").toString(), out.resolve("cert.pem").toString());
    assertEquals(0, v.exitCode(), v.toString());
    String text = ExternalTool.run(dir, "openssl", "x509", "-in", out.resolve("cert.pem").toString(), "-noout",
        "-text").output();
    assertTrue(text.contains("DNS:alt3.batch.example") && text.contains("IP Address:10.0.0.3"), text);
    assertTrue(text.contains("TLS Web Client Authentication"), text);
    assertTrue(Files.isRegularFile(dir.resolve("h59").resolve("key.pem")));
  }

  @Test
  void oneBadRowIssuesNothingAndEveryMistakeIsNamedByLine() throws Exception {
    Path file = dir.resolve("bad.tsv");
    Files.writeString(file, "cn\tout-dir\tkey-type\tsans\n"
        + "ok.example\t" + dir.resolve("a") + "\t\t\n"
        + "bad.example\t" + dir.resolve("b") + "\tdsa-1024\t\n"
        + "odd.example\t" + dir.resolve("c") + "\t\tfoo:bar\n"
        + "dup.example\t" + dir.resolve("a") + "\t\t\n"
        + "short.example\n");
    long before = issuedInStore();
    ConfiguredCli.Run r = cli.run("issue", "--batch", file.toString());
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.err().contains(file + ":3: key-type: "), r.err());
    assertTrue(r.err().contains(file + ":4: sans: "), r.err());
    assertTrue(r.err().contains(file + ":5: out-dir: "), r.err());
    assertTrue(r.err().contains(file + ":6: 1 columns, the header has 4"), r.err());
    assertTrue(r.err().contains("nothing was issued"), r.err());
    assertEquals(before, issuedInStore());
    assertFalse(Files.exists(dir.resolve("a")));

    Files.writeString(file, "cn\tfolder\n");
    ConfiguredCli.Run header = cli.run("issue", "--batch", file.toString());
    assertEquals(1, header.code());
    assertTrue(header.err().contains(file + ":1: unknown column 'folder'"), header.err());
    assertTrue(header.err().contains("no 'out-dir' column"), header.err());

    // refused by the CA's policy (longer than the CA's maximum): also checked before anything is issued
    Files.writeString(file, "cn\tout-dir\tvalidity\nok.example\t" + dir.resolve("a") + "\t\nlong.example\t"
        + dir.resolve("b") + "\t9000d\n");
    ConfiguredCli.Run policy = cli.run("issue", "--batch", file.toString());
    assertEquals(1, policy.code(), policy.toString());
    assertTrue(policy.err().contains(file + ":3: long.example: "), policy.err());
    assertEquals(before, issuedInStore());

    ConfiguredCli.Run both = cli.run("issue", "--batch", file.toString(), "--cn", "x.example");
    assertEquals(1, both.code());
    assertTrue(both.err().contains("cannot be given with it"), both.err());
  }

  @Test
  void noP12LeavesTheBundleOut() throws Exception {
    Path file = dir.resolve("small.tsv");
    Files.writeString(file, "cn\tout-dir\nx.example\t" + dir.resolve("x") + "\ny.example\t" + dir.resolve("y") + "\n");
    ConfiguredCli.Run r = cli.run("issue", "--batch", file.toString(), "--no-p12");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("issued 2 of 2 certificates"), r.out());
    for (String d : new String[] {"x", "y"}) {
      assertTrue(Files.isRegularFile(dir.resolve(d).resolve("fullchain.pem")));
      assertFalse(Files.exists(dir.resolve(d).resolve("bundle.p12")));
      assertFalse(Files.exists(dir.resolve(d).resolve("bundle.p12.pass")));
    }
    ConfiguredCli.Run single = cli.run("issue", "--cn", "z.example", "--out-dir", dir.resolve("z").toString(),
        "--no-p12");
    assertEquals(0, single.code(), single.toString());
    assertFalse(Files.exists(dir.resolve("z").resolve("bundle.p12")));
    ConfiguredCli.Run both = cli.run("issue", "--cn", "w.example", "--out-dir", dir.resolve("w").toString(),
        "--no-p12", "--p12-password", "env:P12_PASS");
    assertEquals(1, both.code());
  }
}
