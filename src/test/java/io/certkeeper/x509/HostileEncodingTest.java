package io.certkeeper.x509;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.DeepAsn1;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Date;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The readers of user- and peer-supplied encodings, given ASN.1 nested far deeper than a
 * recursive parser survives: each says so in one message instead of throwing
 * {@link StackOverflowError}. These are the entry points that existed before the gate.
 */
@Tag("security")
class HostileEncodingTest {
  @Test
  void aPemCertificateNestedDeeplyIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Pem.parseCertificates(DeepAsn1.pem("CERTIFICATE", DeepAsn1.indefinite(100_000))));
    assertTrue(e.getMessage().startsWith("block 1 (line 1): not a valid X.509 certificate: ASN.1 nested"),
        e.getMessage());
  }

  @Test
  void aRequestNestedDeeplyIsRefusedAsDerAndAsPem() {
    byte[] der = DeepAsn1.definite(10_000);
    for (byte[] input : new byte[][] {der, DeepAsn1.pem("CERTIFICATE REQUEST", der).getBytes()}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Csr.parse(input));
      assertTrue(e.getMessage().contains("nested deeper than 64 levels"), e.getMessage());
    }
  }

  @Test
  void aKeyNestedDeeplyIsRefused() {
    String pem = DeepAsn1.pem("PRIVATE KEY", DeepAsn1.definite(10_000));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PrivateKeys.parse(pem));
    assertTrue(e.getMessage().startsWith("malformed PEM: PRIVATE KEY: ASN.1 nested deeper than 64 levels"),
        e.getMessage());
  }

  @Test
  void aCertificateTheJdkReadsButWithANestedExtensionIsMalformedForTheValidator() throws Exception {
    TestCa.Issued root = TestCa.root("Nested Root").issue();
    Date now = Date.from(TestCa.NOW);
    var builder = new JcaX509v3CertificateBuilder(
        X500Name.getInstance(root.cert().getSubjectX500Principal().getEncoded()), BigInteger.TEN,
        Date.from(TestCa.NOW.minus(Duration.ofDays(1))), Date.from(TestCa.NOW.plus(Duration.ofDays(30))),
        new X500Name("CN=nested.example"), root.key().getPublic());
    builder.addExtension(new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1"), false, DeepAsn1.definite(20_000));
    byte[] der = builder.build(new JcaContentSignerBuilder("SHA256withECDSA")
        .build(root.key().getPrivate())).getEncoded();
    // the JDK reads it (it keeps an unknown extension's value as bytes); Bouncy Castle recurses
    X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(der));

    ValidationResult result = ChainValidator.strict().validate(ValidationRequest
        .builder(cert, TrustAnchors.of(java.util.List.of(root.cert())), TestCa.NOW).build());

    assertFalse(result.valid());
    assertTrue(result.problems().contains(Problem.MALFORMED), result.problems().toString());
    assertTrue(result.message().contains("nested deeper than 64 levels"), result.message());
    assertTrue(now.before(cert.getNotAfter()));
  }
}
