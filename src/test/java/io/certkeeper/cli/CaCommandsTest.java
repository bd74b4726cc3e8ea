package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.testing.ExternalTool;
import io.certkeeper.util.Json;
import io.certkeeper.x509.KeyType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The CA commands end to end, judged by openssl and keytool: one CA with an intermediate for the
 * whole class (made once), each test issuing into its own folder.
 */
class CaCommandsTest {
  static final String PASS = "a long enough CA passphrase";
  static final Map<String, String> ENV = Map.of("CERTKEEPER_CA_PASS", PASS, "P12_PASS", "bundle-secret");

  @TempDir static Path shared;
  static ConfiguredCli cli;
  static Path root;

  @TempDir Path dir;

  static Path config(Path where, String extra) throws Exception {
    Path f = where.resolve("certkeeper.yaml");
    Files.writeString(f, "ca:\n  passphrase: env:CERTKEEPER_CA_PASS\n  crl-url: http://crl.example/ca.crl\n" + extra);
    return f;
  }

  @BeforeAll
  static void createCa() throws Exception {
    cli = new ConfiguredCli(config(shared, ""), shared.resolve("data"), ENV);
    ConfiguredCli.Run init = cli.run("ca", "init", "--name", "Test CA", "--intermediate");
    assertEquals(0, init.code(), init.toString());
    assertTrue(init.out().contains("root SHA-256 fingerprint: "), init.out());
    root = shared.resolve("root.pem");
    ConfiguredCli.Run export = cli.run("ca", "export-root", "--out", root.toString());
    assertEquals(0, export.code(), export.toString());
  }

  private Path issue(String name, String... extra) {
    Path out = dir.resolve(name);
    List<String> args = new java.util.ArrayList<>(List.of("issue", "--cn", name, "--out-dir", out.toString()));
    args.addAll(List.of(extra));
    ConfiguredCli.Run r = cli.run(args.toArray(new String[0]));
    assertEquals(0, r.code(), r.toString());
    return out;
  }

  private ExternalTool.Result openssl(String... args) {
    String[] cmd = new String[args.length + 1];
    cmd[0] = "openssl";
    System.arraycopy(args, 0, cmd, 1, args.length);
    return ExternalTool.run(dir, cmd);
  }

  private ExternalTool.Result verify(Path out, String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("verify", "-CAfile", root.toString()));
    args.addAll(List.of(extra));
    args.addAll(List.of("-untrusted", out.resolve("chain.pem").toString(), out.resolve("cert.pem").toString()));
    return openssl(args.toArray(new String[0]));
  }

  @ParameterizedTest
  @EnumSource(KeyType.class)
  void everyKeyTypeIssuesACertificateOpensslVerifies(KeyType type) throws Exception {
    Path out = issue(type.code() + ".test.example", "--key-type", type.code(), "--san", "ip:10.1.2.3");
    ExternalTool.Result v = verify(out, "-purpose", "sslserver");
    assertTrue(v.ok() && v.output().contains(": OK"), v.output());

    String text = openssl("x509", "-in", out.resolve("cert.pem").toString(), "-noout", "-text").output();
    assertTrue(text.contains("CA:FALSE"), text);
    assertTrue(text.contains("TLS Web Server Authentication"), text);
    assertTrue(text.contains("DNS:" + type.code() + ".test.example, IP Address:10.1.2.3"), text);
    assertTrue(text.contains("X509v3 Subject Key Identifier"), text);
    assertTrue(text.contains("X509v3 Authority Key Identifier"), text);
    assertTrue(text.contains("URI:http://crl.example/ca.crl"), text);
    assertTrue(text.contains(type.isRsa() ? "Digital Signature, Key Encipherment" : "Digital Signature\n"), text);

    String key = Files.readString(out.resolve("key.pem"));
    assertTrue(key.startsWith("-----BEGIN PRIVATE KEY-----"), key);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("key.pem"))));
    assertTrue(openssl("pkey", "-in", out.resolve("key.pem").toString(), "-noout").ok());
    assertEquals(Files.readString(out.resolve("cert.pem")) + Files.readString(out.resolve("chain.pem")),
        Files.readString(out.resolve("fullchain.pem")));
  }

  @ParameterizedTest
  @EnumSource(value = io.certkeeper.ca.Profile.class)
  void eachProfileCarriesItsExtendedKeyUsage(io.certkeeper.ca.Profile profile) {
    Path out = issue("p-" + profile.code() + ".test.example", "--profile", profile.code());
    String text = openssl("x509", "-in", out.resolve("cert.pem").toString(), "-noout", "-text").output();
    boolean server = profile != io.certkeeper.ca.Profile.CLIENT;
    boolean client = profile != io.certkeeper.ca.Profile.SERVER;
    assertEquals(server, text.contains("TLS Web Server Authentication"), text);
    assertEquals(client, text.contains("TLS Web Client Authentication"), text);
    assertEquals(server, verify(out, "-purpose", "sslserver").ok());
    assertEquals(client, verify(out, "-purpose", "sslclient").ok());
  }

  @Test
  void rootAndIntermediateHaveCaProfiles() {
    String rootText = openssl("x509", "-in", root.toString(), "-noout", "-text").output();
    assertTrue(rootText.contains("X509v3 Basic Constraints: critical\n                CA:TRUE\n"), rootText);
    assertTrue(rootText.contains("X509v3 Key Usage: critical\n                Certificate Sign, CRL Sign"), rootText);
    assertTrue(rootText.contains("X509v3 Subject Key Identifier"), rootText);
    assertTrue(rootText.contains("Issuer: CN = Test CA"), rootText);

    Path inter = cli.dataDir().resolve("ca/intermediate.pem");
    String interText = openssl("x509", "-in", inter.toString(), "-noout", "-text").output();
    assertTrue(interText.contains("CA:TRUE, pathlen:0"), interText);
    assertTrue(interText.contains("Certificate Sign, CRL Sign"), interText);
    assertTrue(interText.contains("X509v3 Authority Key Identifier"), interText);
  }

  @Test
  void caKeysAreEncryptedAndPrivate() throws Exception {
    for (String f : List.of("root.key.pem", "intermediate.key.pem")) {
      Path key = cli.dataDir().resolve("ca").resolve(f);
      assertTrue(Files.readString(key).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
      Files.writeString(dir.resolve("pass"), PASS);
      assertTrue(openssl("pkey", "-in", key.toString(), "-passin", "file:" + dir.resolve("pass"), "-noout").ok());
    }
  }

  @Test
  void theBundleIsReadByKeytoolAndByOpensslWithoutLegacy() throws Exception {
    Path out = issue("bundle.test.example");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("bundle.p12"))));
    String pass = Files.readString(out.resolve("bundle.p12.pass")).trim();
    assertEquals(32, pass.length());
    ExternalTool.Result k = ExternalTool.run(dir, "keytool", "-list", "-v", "-keystore", out.resolve("bundle.p12").toString(),
        "-storetype", "PKCS12", "-storepass", pass);
    assertTrue(k.ok() && k.output().contains("PrivateKeyEntry") && k.output().contains("Certificate chain length: 2"),
        k.output());
    ExternalTool.Result o = openssl("pkcs12", "-in", out.resolve("bundle.p12").toString(), "-passin",
        "file:" + out.resolve("bundle.p12.pass"), "-nodes", "-info");
    assertTrue(o.ok(), o.output());
    assertTrue(o.output().contains("AES-256-CBC") && o.output().contains("sha256"), o.output());
    assertTrue(o.output().contains("BEGIN PRIVATE KEY"), o.output());

    Path given = issue("given.test.example", "--p12-password", "env:P12_PASS");
    assertFalse(Files.exists(given.resolve("bundle.p12.pass")));
    assertTrue(ExternalTool.run(dir, "keytool", "-list", "-keystore", given.resolve("bundle.p12").toString(),
        "-storetype", "PKCS12", "-storepass", "bundle-secret").ok());
  }

  @Test
  void aRevokedCertificateIsOnTheCrlAndOpensslRejectsIt() throws Exception {
    Path revoked = issue("revoked.test.example");
    Path good = issue("good.test.example");
    String serial = openssl("x509", "-in", revoked.resolve("cert.pem").toString(), "-noout", "-serial").output()
        .trim().substring("serial=".length());
    ConfiguredCli.Run r = cli.run("revoke", serial.toLowerCase(Locale.ROOT), "--reason", "keyCompromise");
    assertEquals(0, r.code(), r.toString());
    ConfiguredCli.Run again = cli.run("revoke", serial);
    assertEquals(1, again.code(), again.toString());
    assertTrue(again.err().contains("already revoked"), again.err());

    Path der = dir.resolve("crl.der");
    assertEquals(0, cli.run("crl", "--out", der.toString()).code());
    Path pem = dir.resolve("crl.pem");
    assertEquals(0, cli.run("crl", "--out", pem.toString(), "--pem").code());
    Path cas = dir.resolve("cas.pem");
    Files.writeString(cas, Files.readString(root) + Files.readString(revoked.resolve("chain.pem")));

    ExternalTool.Result crl = openssl("crl", "-in", der.toString(), "-inform", "DER", "-CAfile", cas.toString(),
        "-noout", "-text");
    assertTrue(crl.ok() && crl.output().contains("verify OK"), crl.output());
    assertTrue(crl.output().contains("Serial Number: " + serial.toUpperCase(Locale.ROOT)), crl.output());
    assertTrue(crl.output().contains("Key Compromise"), crl.output());
    assertTrue(crl.output().contains("X509v3 CRL Number"), crl.output());

    ExternalTool.Result rejected = verify(revoked, "-crl_check", "-CRLfile", pem.toString());
    assertFalse(rejected.ok(), rejected.output());
    assertTrue(rejected.output().contains("certificate revoked"), rejected.output());
    ExternalTool.Result accepted = verify(good, "-crl_check", "-CRLfile", pem.toString());
    assertTrue(accepted.ok(), accepted.output());

    ConfiguredCli.Run list = cli.run("list", "--issued", "--json");
    assertEquals(0, list.code(), list.toString());
    JsonNode rows = Json.mapper().readTree(list.out());
    boolean found = false;
    for (JsonNode row : rows) {
      if (row.get("serial").asText().equalsIgnoreCase(serial.replaceFirst("^0+", ""))) {
        assertEquals("revoked", row.get("status").asText());
        assertEquals("keyCompromise", row.get("revocationReason").asText());
        found = true;
      }
    }
    assertTrue(found, list.out());
  }

  @Test
  void anOpensslRequestIsSignedWithItsNames() throws Exception {
    ExternalTool.Result req = openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-out", "req.pem",
        "-subj", "/O=Not Copied/CN=csr.test.example", "-addext", "subjectAltName=DNS:alt.test.example");
    assertTrue(req.ok(), req.output());
    Path out = dir.resolve("signed.pem");
    ConfiguredCli.Run r = cli.run("sign", "--csr", dir.resolve("req.pem").toString(), "--validity", "30d", "--profile",
        "server-client", "--out", out.toString());
    assertEquals(0, r.code(), r.toString());
    Files.writeString(dir.resolve("chain.pem"), Files.readString(cli.dataDir().resolve("ca/intermediate.pem")));
    ExternalTool.Result v = openssl("verify", "-CAfile", root.toString(), "-untrusted", "chain.pem", out.toString());
    assertTrue(v.ok(), v.output());
    String text = openssl("x509", "-in", out.toString(), "-noout", "-text").output();
    assertTrue(text.contains("Subject: CN = csr.test.example\n"), text);
    assertTrue(text.contains("DNS:csr.test.example, DNS:alt.test.example"), text);
    assertTrue(text.contains("Digital Signature, Key Encipherment"), text);
  }

  @Test
  void aRequestWithABrokenSignatureIsRefusedAndNothingIsWritten() throws Exception {
    assertTrue(openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
        "k.pem", "-out", "req.der", "-outform", "DER", "-subj", "/CN=broken.test.example").ok());
    byte[] der = Files.readAllBytes(dir.resolve("req.der"));
    der[der.length - 5] ^= 0x01;
    Files.write(dir.resolve("req.der"), der);
    Path out = dir.resolve("signed.pem");
    ConfiguredCli.Run r = cli.run("sign", "--csr", dir.resolve("req.der").toString(), "--out", out.toString());
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.err().contains("signature"), r.err());
    assertOneLine(r);
    assertFalse(Files.exists(out));
  }

  @Test
  void aLeafNeverOutlivesItsIssuer() {
    ConfiguredCli.Run r = cli.run("issue", "--cn", "long.test.example", "--validity", "398d", "--out-dir",
        dir.resolve("x").toString());
    assertEquals(0, r.code(), r.toString()); // well within the 5-year intermediate
    ConfiguredCli.Run tooLong = new ConfiguredCli(shortCa(), dir.resolve("short-data"), ENV)
        .run("issue", "--cn", "long.test.example", "--validity", "30d", "--out-dir", dir.resolve("y").toString());
    assertEquals(1, tooLong.code(), tooLong.toString());
    assertTrue(tooLong.err().contains("would outlive its issuer"), tooLong.err());
    assertOneLine(tooLong);
    assertFalse(Files.exists(dir.resolve("y")));
  }

  private Path shortCa() {
    try {
      Path cfg = config(Files.createDirectories(dir.resolve("short")), "");
      ConfiguredCli c = new ConfiguredCli(cfg, dir.resolve("short-data"), ENV);
      ConfiguredCli.Run init = c.run("ca", "init", "--validity", "10d", "--key-type", "ed25519");
      assertEquals(0, init.code(), init.toString());
      return cfg;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aRootOnlyCaIssuesLeavesDirectly() throws Exception {
    Path cfg = config(Files.createDirectories(dir.resolve("rsa")), "");
    ConfiguredCli c = new ConfiguredCli(cfg, dir.resolve("rsa-data"), ENV);
    assertEquals(0, c.run("ca", "init", "--key-type", "rsa-2048").code());
    Path out = dir.resolve("leaf");
    ConfiguredCli.Run r = c.run("issue", "--cn", "direct.test.example", "--key-type", "ed25519", "--out-dir", out.toString());
    assertEquals(0, r.code(), r.toString());
    assertEquals("", Files.readString(out.resolve("chain.pem")));
    c.run("ca", "export-root", "--out", dir.resolve("rsa-root.pem").toString());
    ExternalTool.Result v = openssl("verify", "-CAfile", dir.resolve("rsa-root.pem").toString(),
        out.resolve("cert.pem").toString());
    assertTrue(v.ok(), v.output());
    ConfiguredCli.Run show = c.run("ca", "show", "--json");
    JsonNode shown = Json.mapper().readTree(show.out());
    assertEquals("rsa-2048", shown.get("keyType").asText());
    assertTrue(shown.get("intermediate").isNull());
    assertEquals(1, shown.get("status").get("issued").asLong());
  }

  @Test
  void initRefusesToOverwriteAnExistingCa() {
    ConfiguredCli.Run r = cli.run("ca", "init");
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.err().contains("a CA already exists"), r.err());
  }

  @Test
  void aWrongPassphraseIsOneClearLineAndWritesNothing() {
    Path out = dir.resolve("wrong");
    ConfiguredCli.Run r = cli.withEnv(Map.of("CERTKEEPER_CA_PASS", "not the passphrase"))
        .run("issue", "--cn", "wrong.test.example", "--out-dir", out.toString());
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.err().contains("wrong CA passphrase"), r.err());
    assertFalse(r.err().contains(PASS));
    assertOneLine(r);
    assertFalse(Files.exists(out));
  }

  @Test
  void noPassphraseConfiguredIsAClearError() throws Exception {
    Path cfg = dir.resolve("nopass.yaml");
    Files.writeString(cfg, "log:\n  level: info\n");
    ConfiguredCli.Run r = new ConfiguredCli(cfg, dir.resolve("d"), ENV).run("ca", "init");
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.err().contains("no CA passphrase"), r.err());
    assertOneLine(r);
  }

  @Test
  void aMissingCaIsOneClearLine() throws Exception {
    ConfiguredCli.Run r = new ConfiguredCli(config(dir, ""), dir.resolve("empty"), ENV)
        .run("issue", "--cn", "x.test.example", "--out-dir", dir.resolve("o").toString());
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.err().contains("no CA in"), r.err());
    assertOneLine(r);
    assertFalse(Files.exists(dir.resolve("o")));
  }

  @Test
  void aCorruptedKeyFileIsOneClearLine() throws Exception {
    Path data = dir.resolve("copy");
    Files.createDirectories(data.resolve("ca"));
    try (var files = Files.list(cli.dataDir().resolve("ca"))) {
      for (Path f : files.collect(Collectors.toList())) {
        Files.copy(f, data.resolve("ca").resolve(f.getFileName()));
      }
    }
    Path key = data.resolve("ca/intermediate.key.pem");
    List<String> lines = Files.readAllLines(key);
    String mid = lines.get(3);
    lines.set(3, (mid.charAt(0) == 'A' ? "B" : "A") + mid.substring(1));
    Files.write(key, lines);
    ConfiguredCli.Run r = new ConfiguredCli(config(dir, ""), data, ENV)
        .run("issue", "--cn", "x.test.example", "--out-dir", dir.resolve("o").toString());
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.err().contains("intermediate.key.pem"), r.err());
    assertOneLine(r);
    assertFalse(Files.exists(dir.resolve("o")));
  }

  @Test
  void anOutOfPolicyNameIsRefusedWithTheReason() throws Exception {
    Path cfg = config(dir, "  policy:\n    max-validity: 30d\n    allowed-names:\n      - '*.internal.example'\n"
        + "      - ip:10.0.0.0/8\n  validity: 30d\n");
    ConfiguredCli c = new ConfiguredCli(cfg, cli.dataDir(), ENV);
    ConfiguredCli.Run ok = c.run("issue", "--cn", "a.internal.example", "--san", "ip:10.2.3.4", "--out-dir",
        dir.resolve("ok").toString());
    assertEquals(0, ok.code(), ok.toString());
    ConfiguredCli.Run bad = c.run("issue", "--cn", "a.internal.example", "--san", "dns:evil.example", "--out-dir",
        dir.resolve("bad").toString());
    assertEquals(1, bad.code(), bad.toString());
    assertTrue(bad.err().contains("name dns:evil.example is not allowed by policy"), bad.err());
    assertOneLine(bad);
    assertFalse(Files.exists(dir.resolve("bad")));
    ConfiguredCli.Run tooLong = c.run("issue", "--cn", "a.internal.example", "--validity", "31d", "--out-dir",
        dir.resolve("long").toString());
    assertEquals(1, tooLong.code(), tooLong.toString());
    assertTrue(tooLong.err().contains("exceeds the policy's maximum"), tooLong.err());
  }

  @Test
  void aBadPolicyPatternNamesFileAndLine() throws Exception {
    Path cfg = config(dir, "  policy:\n    allowed-names:\n      - ip:10.0.0.1/8\n");
    ConfiguredCli.Run r = new ConfiguredCli(cfg, cli.dataDir(), ENV)
        .run("issue", "--cn", "a.example", "--out-dir", dir.resolve("o").toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains(cfg + ":6: ca.policy.allowed-names[0]"), r.err());
  }

  @Test
  void showAndListDescribeTheCa() throws Exception {
    issue("listed.test.example");
    ConfiguredCli.Run show = cli.run("ca", "show");
    assertEquals(0, show.code(), show.toString());
    assertTrue(show.out().contains("Test CA"), show.out());
    ConfiguredCli.Run list = cli.run("list", "--issued", "--expiring-within", "400d");
    assertEquals(0, list.code(), list.toString());
    assertTrue(list.out().contains("listed.test.example"), list.out());
    ConfiguredCli.Run all = cli.run("list", "--issued", "--json");
    assertTrue(all.out().contains("\"profile\" : \"intermediate\""), all.out());
    assertTrue(all.out().contains("\"profile\" : \"root\""), all.out());
  }

  private static void assertOneLine(ConfiguredCli.Run r) {
    assertEquals(1, r.err().lines().count(), r.err());
    assertFalse(r.err().contains("\tat "), r.err());
  }
}
