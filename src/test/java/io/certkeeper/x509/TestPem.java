package io.certkeeper.x509;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** PEM reading for the tests, through the JDK's own parser (as callers of the library do). */
final class TestPem {
  private TestPem() {}

  static X509Certificate certificate(String pem) throws GeneralSecurityException {
    return (X509Certificate) factory().generateCertificate(
        new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }

  static List<X509Certificate> certificates(String pem) throws GeneralSecurityException {
    List<X509Certificate> out = new ArrayList<>();
    for (var c : factory().generateCertificates(
        new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
      out.add((X509Certificate) c);
    }
    return out;
  }

  static X509CRL crl(String pem) throws GeneralSecurityException {
    return (X509CRL) factory().generateCRL(
        new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }

  private static CertificateFactory factory() throws GeneralSecurityException {
    return CertificateFactory.getInstance("X.509");
  }
}
