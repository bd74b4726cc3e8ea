package io.certkeeper.probe;

import io.certkeeper.x509.CertificateInfo;
import io.certkeeper.x509.Fingerprints;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.DSAPublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The facts about one certificate of a captured chain that reports and the store need, with
 * fingerprints as lower-case hex SHA-256 of the DER certificate and of its SubjectPublicKeyInfo.
 *
 * @param keySize bits of the RSA or DSA modulus, or of the EC field; 0 when unknown
 * @param sans subject alternative names, typed as everywhere else ({@code dns:}, {@code ip:},
 *     {@code email:}, {@code uri:}), in certificate order
 */
public record CertificateSummary(
    String subject,
    String issuer,
    String serial,
    Instant notBefore,
    Instant notAfter,
    String sha256,
    String spkiSha256,
    String keyAlgorithm,
    int keySize,
    String signatureAlgorithm,
    List<String> sans) {

  public CertificateSummary {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(serial, "serial");
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(notAfter, "notAfter");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(spkiSha256, "spkiSha256");
    Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
    Objects.requireNonNull(signatureAlgorithm, "signatureAlgorithm");
    sans = List.copyOf(sans);
  }

  /** Summarizes a certificate as received. */
  static CertificateSummary of(X509Certificate cert) {
    return new CertificateSummary(
        cert.getSubjectX500Principal().getName(),
        cert.getIssuerX500Principal().getName(),
        cert.getSerialNumber().toString(16),
        cert.getNotBefore().toInstant(),
        cert.getNotAfter().toInstant(),
        Fingerprints.sha256(cert),
        Fingerprints.spkiSha256(cert),
        cert.getPublicKey().getAlgorithm(),
        keySize(cert.getPublicKey()),
        cert.getSigAlgName(),
        CertificateInfo.subjectAltNames(cert));
  }

  static int keySize(PublicKey key) {
    if (key instanceof RSAPublicKey rsa) {
      return rsa.getModulus().bitLength();
    }
    if (key instanceof ECPublicKey ec) {
      return ec.getParams().getCurve().getField().getFieldSize();
    }
    if (key instanceof DSAPublicKey dsa) {
      return dsa.getParams().getP().bitLength();
    }
    return switch (key.getAlgorithm()) {
      case "Ed25519", "X25519", "EdDSA" -> 255;
      case "Ed448", "X448" -> 448;
      default -> 0;
    };
  }

}
