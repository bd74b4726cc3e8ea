package io.certkeeper.x509;

import java.security.PublicKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.DSAPublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.security.auth.x500.X500Principal;

/**
 * The facts about a certificate that certkeeper shows, stores and alerts on, read once from the
 * certificate.
 *
 * @param sha256 SHA-256 of the DER encoding, lowercase hex: the certificate's identity
 * @param subject subject distinguished name (RFC 2253)
 * @param issuer issuer distinguished name (RFC 2253)
 * @param serial serial number, lowercase hex
 * @param keyAlgorithm {@code RSA}, {@code EC}, {@code Ed25519}, {@code Ed448} or {@code DSA}
 * @param keySize key size in bits (RSA modulus, EC field size)
 * @param signatureAlgorithm the JDK's name, e.g. {@code SHA256withECDSA}
 * @param sans subject alternative names as {@code dns:}, {@code ip:}, {@code email:}, {@code uri:}
 * @param spkiSha256 SHA-256 of the public key info: equal for certificates sharing a key
 * @param ca whether basicConstraints says CA:true
 */
public record CertificateInfo(
    String sha256,
    String subject,
    String issuer,
    String serial,
    Instant notBefore,
    Instant notAfter,
    String keyAlgorithm,
    int keySize,
    String signatureAlgorithm,
    List<String> sans,
    String spkiSha256,
    boolean ca) {

  public CertificateInfo {
    sans = List.copyOf(sans);
  }

  /** Reads the facts from {@code cert}. */
  public static CertificateInfo of(X509Certificate cert) {
    return new CertificateInfo(
        Fingerprints.sha256(cert),
        cert.getSubjectX500Principal().getName(X500Principal.RFC2253),
        cert.getIssuerX500Principal().getName(X500Principal.RFC2253),
        cert.getSerialNumber().toString(16),
        cert.getNotBefore().toInstant(),
        cert.getNotAfter().toInstant(),
        keyAlgorithm(cert.getPublicKey()),
        keySize(cert.getPublicKey()),
        cert.getSigAlgName(),
        subjectAltNames(cert),
        Fingerprints.spkiSha256(cert),
        cert.getBasicConstraints() >= 0);
  }

  /** The common name of the subject, or the whole subject when it has none. */
  public String subjectCommonName() {
    return commonName(subject);
  }

  /** The common name of the issuer, or the whole issuer when it has none. */
  public String issuerCommonName() {
    return commonName(issuer);
  }

  /** Whether subject and issuer are the same name. */
  public boolean selfIssued() {
    return subject.equals(issuer);
  }

  /** The common name of an RFC 2253 name (the whole name when it has none, or cannot be parsed). */
  public static String commonName(String rfc2253) {
    try {
      for (javax.naming.ldap.Rdn rdn : new javax.naming.ldap.LdapName(rfc2253).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return String.valueOf(rdn.getValue());
        }
      }
    } catch (javax.naming.InvalidNameException e) {
      return rfc2253;
    }
    return rfc2253;
  }

  static String keyAlgorithm(PublicKey key) {
    String alg = key.getAlgorithm();
    if (alg.equals("EdDSA") || alg.equals("XDH")) {
      // The JDK reports the family; the curve is in the encoded parameters.
      return key.getEncoded().length <= 44 ? "Ed25519" : "Ed448";
    }
    return alg.toUpperCase(Locale.ROOT).equals("ECDSA") ? "EC" : alg;
  }

  static int keySize(PublicKey key) {
    if (key instanceof RSAPublicKey) {
      return ((RSAPublicKey) key).getModulus().bitLength();
    }
    if (key instanceof ECPublicKey) {
      return ((ECPublicKey) key).getParams().getCurve().getField().getFieldSize();
    }
    if (key instanceof DSAPublicKey) {
      return ((DSAPublicKey) key).getParams().getP().bitLength();
    }
    String alg = keyAlgorithm(key);
    if (alg.equals("Ed25519")) {
      return 256;
    }
    if (alg.equals("Ed448")) {
      return 456;
    }
    return 0;
  }

  /** The SANs of {@code cert} as {@code dns:}, {@code ip:}, {@code email:}, {@code uri:} (others as {@code dirname:} / {@code other:N}). */
  public static List<String> subjectAltNames(X509Certificate cert) {
    Collection<List<?>> names;
    try {
      names = cert.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return List.of();
    }
    if (names == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>(names.size());
    for (List<?> entry : names) {
      int type = (Integer) entry.get(0);
      Object value = entry.get(1);
      switch (type) {
        case 1: out.add("email:" + value); break;
        case 2: out.add("dns:" + value); break;
        case 6: out.add("uri:" + value); break;
        case 7: out.add("ip:" + value); break;
        case 4: out.add("dirname:" + value); break;
        default: out.add("other:" + type); break;
      }
    }
    return out;
  }
}
