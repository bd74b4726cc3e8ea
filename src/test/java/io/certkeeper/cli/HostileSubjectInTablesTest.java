package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.OpenSslServer;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** A served certificate whose subject and SAN carry CR/LF shows as one escaped row in every table. */
@Tag("security")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileSubjectInTablesTest {
  static final String HOSTILE = "x\r\nBcc: evil@example.com";
  static final String ESCAPED = "x\\r\\nBcc: evil@example.com";

  @TempDir static Path dir;
  private OpenSslServer server;

  @BeforeAll
  void serve() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair k = g.generateKeyPair();
    Instant now = Instant.now();
    var name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, HOSTILE).build();
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(90))), name, k.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
        new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.dNSName, HOSTILE)}));
    X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(k.getPrivate())));
    Files.writeString(dir.resolve("hostile.pem"), pem(cert));
    Files.writeString(dir.resolve("hostile.key"), "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(k.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n");
    server = OpenSslServer.start(dir, "-cert", dir.resolve("hostile.pem").toString(),
        "-key", dir.resolve("hostile.key").toString());
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private static String pem(Object o) throws Exception {
    StringWriter s = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(s)) {
      w.writeObject(o);
    }
    return s.toString();
  }

  private CliRunner.Run cli(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--data-dir";
    all[1] = dir.resolve("data").toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return CliRunner.run(all);
  }

  private static void noInjectedLine(CliRunner.Run r) {
    List<String> lines = r.out().lines().toList();
    assertTrue(lines.stream().noneMatch(l -> l.startsWith("Bcc:") || l.contains("\r")), r.out());
  }

  @Test
  void probeListAndStatusShowTheSubjectOnOneEscapedLine() throws Exception {
    String target = "localhost:" + server.port();
    CliRunner.Run probe = cli("probe", "--no-system-trust", "--ca-file", dir.resolve("hostile.pem").toString(), target);
    noInjectedLine(probe);

    CliRunner.Run list = cli("list");
    assertEquals(0, list.exitCode(), list.out() + list.err());
    noInjectedLine(list);
    List<String> rows = list.out().lines().filter(l -> l.contains(ESCAPED)).toList();
    assertEquals(1, rows.size(), list.out());
    assertTrue(rows.get(0).contains("(dns:localhost, dns:" + ESCAPED + ")"), rows.get(0));
    assertEquals(2, list.out().lines().count(), "a header and one row: " + list.out());

    CliRunner.Run status = cli("status");
    noInjectedLine(status);
    CliRunner.Run json = cli("list", "--json");
    assertTrue(json.out().contains("x\\r\\nBcc: evil@example.com"), "JSON keeps its own escaping: " + json.out());
  }
}
