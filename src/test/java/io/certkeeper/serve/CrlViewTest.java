package io.certkeeper.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.TestClock;
import io.certkeeper.x509.Pem;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A listener's CRL files are read through the PEM reader: every CRL of a bundle counts, a bad block fails closed. */
@Tag("security")
class CrlViewTest {
  private static final Instant NOW = Instant.parse("2026-11-01T00:00:00Z");

  @TempDir Path dir;

  private record Ca(X509Certificate cert, KeyPair key) {}

  private static Ca ca(String cn) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair key = g.generateKeyPair();
    X500Name name = new X500Name("CN=" + cn);
    var b = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(NOW.minus(Duration.ofDays(1))),
        Date.from(NOW.plus(Duration.ofDays(365))), name, key.getPublic())
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    X509Certificate cert = new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
    return new Ca(cert, key);
  }

  private static String crlPem(Ca ca) throws Exception {
    var b = new X509v2CRLBuilder(X500Name.getInstance(ca.cert().getSubjectX500Principal().getEncoded()),
        Date.from(NOW.minus(Duration.ofHours(1))));
    b.setNextUpdate(Date.from(NOW.plus(Duration.ofDays(7))));
    b.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.TWO));
    X509CRL crl = new JcaX509CRLConverter()
        .getCRL(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.key().getPrivate())));
    return Pem.block("X509 CRL", crl.getEncoded());
  }

  @Test
  void everyCrlOfAPemBundleIsKept() throws Exception {
    Ca a = ca("Clients A");
    Ca b = ca("Clients B");
    Path f = dir.resolve("clients.crl");
    Files.writeString(f, crlPem(a) + crlPem(b));
    CrlView.Snapshot s = CrlView.of(List.of(f), List.of(a.cert(), b.cert()), new TestClock(NOW)).current();
    assertEquals(Optional.empty(), s.problem());
    assertEquals(2, s.crls().size());
  }

  @Test
  void aCorruptedBlockAfterAGoodOneRefusesEveryClientNamingTheBlockAndLine() throws Exception {
    Ca a = ca("Clients A");
    String good = crlPem(a);
    String bad = good.replaceFirst("\n[A-Za-z0-9+/]{10}", "\n*not*base64");
    Path f = dir.resolve("clients.crl");
    Files.writeString(f, good + bad);
    int line = (int) good.chars().filter(c -> c == '\n').count() + 1;
    CrlView.Snapshot s = CrlView.of(List.of(f), List.of(a.cert()), new TestClock(NOW)).current();
    assertTrue(s.problem().isPresent(), s.toString());
    assertEquals("CRL " + f + ": not a readable CRL: block 2 (line " + line + "): X509 CRL: the text between the BEGIN"
        + " and END lines is not valid base64", s.problem().get());
  }
}
