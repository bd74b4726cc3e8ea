package io.certkeeper.serve;

import io.certkeeper.x509.KeyPairs;
import io.certkeeper.x509.KeyType;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Self-signed certificates (EC P-256 unless asked otherwise) a listener makes for itself, never trusted by anyone: the
 * tls-alpn-01 validation certificate (RFC 8737 3), and the stand-in a listener serves until its
 * managed certificate is first issued.
 */
final class SelfSigned {
  /** id-pe-acmeIdentifier (RFC 8737 6.1). */
  static final ASN1ObjectIdentifier ACME_IDENTIFIER = new ASN1ObjectIdentifier("1.3.6.1.5.5.7.1.31");
  private static final SecureRandom RANDOM = new SecureRandom();

  private SelfSigned() {}

  /**
   * A new key and a certificate for {@code dnsNames}, valid from an hour before {@code now} for
   * {@code validity}; with {@code acmeIdentifier} (the SHA-256 of a key authorization) as the
   * critical extension that answers tls-alpn-01.
   */
  static KeyMaterial create(String commonName, List<String> dnsNames, Instant now, Duration validity,
      Optional<byte[]> acmeIdentifier) throws IOException {
    return create(commonName, dnsNames, now, validity, acmeIdentifier, KeyType.EC_P256);
  }

  /** As the other, with a key of {@code keyType} (a listener limited to RSA suites needs an RSA stand-in). */
  static KeyMaterial create(String commonName, List<String> dnsNames, Instant now, Duration validity,
      Optional<byte[]> acmeIdentifier, KeyType keyType) throws IOException {
    KeyPair keys = KeyPairs.generate(keyType);
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, new BigInteger(127, RANDOM).add(BigInteger.ONE),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), subject, keys.getPublic());
    try {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      if (!dnsNames.isEmpty()) {
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
            dnsNames.stream().map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new)));
      }
      if (acmeIdentifier.isPresent()) {
        b.addExtension(ACME_IDENTIFIER, true, new DEROctetString(acmeIdentifier.get()));
      }
      X509Certificate cert = new JcaX509CertificateConverter().setProvider(KeyPairs.provider()).getCertificate(
          b.build(new JcaContentSignerBuilder(keyType.signatureAlgorithm()).setProvider(KeyPairs.provider())
              .build(keys.getPrivate())));
      return new KeyMaterial(keys.getPrivate(), List.of(cert));
    } catch (IOException | GeneralSecurityException | OperatorCreationException | IllegalArgumentException e) {
      throw new IOException("cannot make a self-signed certificate for " + commonName + ": " + e.getMessage(), e);
    }
  }
}
