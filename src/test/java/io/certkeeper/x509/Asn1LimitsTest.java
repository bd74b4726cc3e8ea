package io.certkeeper.x509;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.DeepAsn1;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The ASN.1 gate: what it refuses, and that real encodings pass it. */
@Tag("security")
class Asn1LimitsTest {
  private static String refusal(byte[] der) {
    return assertThrows(IllegalArgumentException.class,
        () -> Asn1Limits.check(der, 16 * 1024 * 1024)).getMessage();
  }

  @Test
  void nestingOneHundredThousandDeepIsRefusedWithDefiniteOrIndefiniteLengths() {
    assertEquals("ASN.1 nested deeper than 64 levels (byte 256)",
        refusal(DeepAsn1.definite(100_000)).replaceAll("byte \\d+", "byte 256"));
    assertEquals("ASN.1 nested deeper than 64 levels (byte 128)", refusal(DeepAsn1.indefinite(100_000)));
  }

  @Test
  void theLimitIsSixtyFourLevels() {
    // constructed levels count: the NULL inside cannot nest further
    assertDoesNotThrow(() -> Asn1Limits.check(DeepAsn1.definite(64), 1024));
    assertTrue(refusal(DeepAsn1.definite(65)).contains("nested deeper than 64 levels"));
  }

  @Test
  void nestingInsideAnOctetStringCounts() {
    String why = refusal(DeepAsn1.ocspResponse(DeepAsn1.definite(1_000)));
    assertTrue(why.contains("nested deeper than 64 levels"), why);
  }

  @Test
  void anOctetStringThatIsNotAsn1IsOpaque() {
    // the contents start like a header whose length runs past them: just bytes
    byte[] octets = DeepAsn1.tlv((byte) 0x04, new byte[] {0x30, 0x7f, 0x01});
    assertDoesNotThrow(() -> Asn1Limits.check(DeepAsn1.tlv((byte) 0x30, octets), 1024));
  }

  @ParameterizedTest
  @CsvSource({
      "3005020101, ASN.1 length 5 runs past the end of its parent (byte 0)",
      "300302020101, ASN.1 length 2 runs past the end of its parent (byte 2)",
      "3080020101, ASN.1 indefinite length not closed before the end of its parent (byte 5)",
      "3080, ASN.1 indefinite length not closed before the end of its parent (byte 2)",
      "0000, ASN.1 end-of-contents outside an indefinite length (byte 0)",
      "0480, ASN.1 indefinite length on a primitive element (byte 0)",
      "3085000000000100, ASN.1 length of 5 octets (byte 0)",
      "30, ASN.1 truncated length (byte 0)",
      "300002, ASN.1 truncated length (byte 2)",
      "3000ff, ASN.1 truncated tag (byte 2)",
  })
  void brokenFramingIsRefused(String hex, String message) {
    assertEquals(message, refusal(java.util.HexFormat.of().parseHex(hex)));
  }

  @Test
  void sizeIsBoundedBeforeWalking() {
    String why = assertThrows(IllegalArgumentException.class,
        () -> Asn1Limits.check(new byte[2048], 1024)).getMessage();
    assertEquals("larger than 1024 bytes", why);
  }

  @Test
  void everyRootOfTheJdkTrustStorePasses() throws Exception {
    KeyStore cacerts = KeyStore.getInstance(new java.io.File(System.getProperty("java.home"),
        "lib/security/cacerts"), (char[]) null);
    int checked = 0;
    for (String alias : Collections.list(cacerts.aliases())) {
      if (cacerts.getCertificate(alias) instanceof X509Certificate c) {
        Asn1Limits.check(c.getEncoded(), Asn1Limits.MAX_CERTIFICATE_BYTES);
        checked++;
      }
    }
    assertTrue(checked > 50, "roots checked: " + checked);
  }

  @Test
  void aBundleWrittenHereReadsBack() throws Exception {
    TestCa.Issued root = TestCa.root("Bundle Root").issue();
    TestCa.Issued leaf = TestCa.leaf("bundle.example", root).issue();
    byte[] p12 = Pkcs12.write(leaf.key().getPrivate(), List.of(leaf.cert(), root.cert()),
        "pw".toCharArray(), "bundle");
    KeyStore ks = Pkcs12.load(p12, "PKCS12", "pw".toCharArray());
    assertEquals(leaf.cert(), ks.getCertificate("bundle"));
  }

  @Test
  void aKeystoreNestedDeeplyIsRefused() {
    byte[] oid = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x07, 0x01};
    byte[] content = DeepAsn1.tlv((byte) 0xa0, DeepAsn1.tlv((byte) 0x04, DeepAsn1.indefinite(50_000)));
    byte[] authSafe = DeepAsn1.tlv((byte) 0x30, concat(oid, content));
    byte[] pfx = DeepAsn1.tlv((byte) 0x30, concat(new byte[] {0x02, 0x01, 0x03}, authSafe));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Pkcs12.load(pfx, "PKCS12", "pw".toCharArray()));
    assertTrue(e.getMessage().contains("nested deeper than 64 levels"), e.getMessage());
  }

  @Test
  void aCrlNestedDeeplyIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Crls.parse(DeepAsn1.pem("X509 CRL", DeepAsn1.indefinite(100_000)).getBytes()));
    assertTrue(e.getMessage().startsWith("block 1 (line 1): not a valid CRL: ASN.1 nested deeper than"),
        e.getMessage());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
