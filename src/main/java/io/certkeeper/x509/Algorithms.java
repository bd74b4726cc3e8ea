package io.certkeeper.x509;

import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PSSParameterSpec;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Which keys and signature algorithms the validator accepts (the CA/Browser Forum set), and
 * signature verification. RSA keys need at least {@value #MIN_RSA_BITS} bits, a multiple of 8;
 * EC keys must name P-256, P-384 or P-521; Ed25519 and Ed448 are fine; DSA is refused. MD5, SHA-1
 * and DSA signatures are refused below the trust anchor (whose own signature is never checked).
 */
final class Algorithms {
  /** CA/Browser Forum Baseline Requirements 6.1.5. */
  static final int MIN_RSA_BITS = 2048;

  /**
   * A signature algorithm: its JCA name, whether it is refused as weak, and whether that refusal
   * is the CA/Browser Forum's only (SHA-1 and DSA: accepted under {@link Profile#RFC5280}).
   */
  record SignatureAlgorithm(String jcaName, String displayName, boolean weak, boolean legacy) {
    SignatureAlgorithm(String jcaName, String displayName, boolean weak) {
      this(jcaName, displayName, weak, weak && !jcaName.startsWith("MD5"));
    }
  }

  /** RFC 5280 sets no key size; below this RSA is refused under every profile. */
  static final int MIN_RSA_BITS_RFC5280 = 1024;

  private static final Map<String, SignatureAlgorithm> SIGNATURES = Map.ofEntries(
      Map.entry("1.2.840.113549.1.1.4", new SignatureAlgorithm("MD5withRSA", "MD5 with RSA", true)),
      Map.entry("1.2.840.113549.1.1.5", new SignatureAlgorithm("SHA1withRSA", "SHA-1 with RSA", true)),
      Map.entry("1.2.840.113549.1.1.11", new SignatureAlgorithm("SHA256withRSA", "SHA-256 with RSA", false)),
      Map.entry("1.2.840.113549.1.1.12", new SignatureAlgorithm("SHA384withRSA", "SHA-384 with RSA", false)),
      Map.entry("1.2.840.113549.1.1.13", new SignatureAlgorithm("SHA512withRSA", "SHA-512 with RSA", false)),
      Map.entry("1.2.840.113549.1.1.10", new SignatureAlgorithm("RSASSA-PSS", "RSASSA-PSS", false)),
      Map.entry("1.2.840.10045.4.1", new SignatureAlgorithm("SHA1withECDSA", "ECDSA with SHA-1", true)),
      Map.entry("1.2.840.10045.4.3.2", new SignatureAlgorithm("SHA256withECDSA", "ECDSA with SHA-256", false)),
      Map.entry("1.2.840.10045.4.3.3", new SignatureAlgorithm("SHA384withECDSA", "ECDSA with SHA-384", false)),
      Map.entry("1.2.840.10045.4.3.4", new SignatureAlgorithm("SHA512withECDSA", "ECDSA with SHA-512", false)),
      Map.entry("1.3.101.112", new SignatureAlgorithm("Ed25519", "Ed25519", false)),
      Map.entry("1.3.101.113", new SignatureAlgorithm("Ed448", "Ed448", false)),
      Map.entry("1.2.840.10040.4.3", new SignatureAlgorithm("SHA1withDSA", "DSA with SHA-1", true)),
      Map.entry("2.16.840.1.101.3.4.3.1", new SignatureAlgorithm("SHA224withDSA", "DSA with SHA-224", true)),
      Map.entry("2.16.840.1.101.3.4.3.2", new SignatureAlgorithm("SHA256withDSA", "DSA with SHA-256", true)));

  private static final String RSA = "1.2.840.113549.1.1.1";
  private static final String RSA_PSS = "1.2.840.113549.1.1.10";
  private static final String EC = "1.2.840.10045.2.1";
  private static final String DSA = "1.2.840.10040.4.1";
  private static final Set<String> EDDSA = Set.of("1.3.101.112", "1.3.101.113");
  private static final Map<String, String> CURVES = Map.of(
      "1.2.840.10045.3.1.7", "P-256", "1.3.132.0.34", "P-384", "1.3.132.0.35", "P-521");

  private Algorithms() {}

  /**
   * ECDSA verification goes through Bouncy Castle: on JDK 17 it verifies P-256 about five times
   * faster than SunEC. Keys on the usual curves take its lightweight API ({@link EcdsaVerifier});
   * this provider (not registered JVM-wide, and made only when first needed: making it registers
   * hundreds of algorithms) takes the rest. RSA and EdDSA use the JDK.
   */
  private static final class BouncyCastleHolder {
    static final Provider PROVIDER = new BouncyCastleProvider();
  }

  /** The algorithm for a signature OID, or null when unknown. */
  static SignatureAlgorithm signature(String oid) {
    return oid == null ? null : SIGNATURES.get(oid);
  }

  /**
   * Why the subject key is refused under the CA/Browser Forum rules ({@code webpki}) or plain
   * RFC 5280, or null when it is acceptable.
   */
  static Finding keyDefect(SubjectPublicKeyInfo info, PublicKey key, boolean webpki) {
    int minRsa = webpki ? MIN_RSA_BITS : MIN_RSA_BITS_RFC5280;
    String algorithm = info.getAlgorithm().getAlgorithm().getId();
    if (algorithm.equals(RSA) || algorithm.equals(RSA_PSS)) {
      int bits = rsaBits(info, key);
      if (bits < 0) {
        return new Finding(Problem.MALFORMED, "has an RSA key that cannot be parsed");
      }
      if (bits < minRsa) {
        return new Finding(Problem.WEAK_KEY, "has a " + bits + "-bit RSA key; at least "
            + minRsa + " bits are required");
      }
      if (webpki && bits % 8 != 0) {
        return new Finding(Problem.WEAK_KEY, "has a " + bits
            + "-bit RSA key; the size must be a multiple of 8");
      }
      return null;
    }
    if (algorithm.equals(EC)) {
      ASN1Encodable parameters = info.getAlgorithm().getParameters();
      if (!(parameters instanceof ASN1ObjectIdentifier curve)) {
        return new Finding(Problem.WEAK_KEY, "has an EC key with explicit curve parameters;"
            + " only named curves are accepted");
      }
      if (!CURVES.containsKey(curve.getId())) {
        return new Finding(Problem.WEAK_KEY, "has an EC key on curve " + curve.getId()
            + "; only P-256, P-384 and P-521 are accepted");
      }
      return null;
    }
    if (EDDSA.contains(algorithm)) {
      return null;
    }
    if (algorithm.equals(DSA)) {
      return !webpki ? null : new Finding(Problem.WEAK_KEY, "has a DSA key, which is no longer accepted");
    }
    return new Finding(Problem.WEAK_KEY, "has a key of unsupported type " + algorithm);
  }

  private static int rsaBits(SubjectPublicKeyInfo info, PublicKey key) {
    if (key instanceof RSAPublicKey rsa) {
      return rsa.getModulus().bitLength();
    }
    try {
      return org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(info.parsePublicKey())
          .getModulus().bitLength();
    } catch (Exception e) {
      return -1;
    }
  }

  /** Whether {@code issuerKey} verifies the signature on {@code cert}; never throws. */
  static boolean verify(ParsedCertificate cert, PublicKey issuerKey) {
    SignatureAlgorithm algorithm = cert.signatureAlgorithm;
    if (algorithm == null) {
      return false;
    }
    return verify(algorithm.jcaName(), cert.signatureParameters, issuerKey, cert.tbs, cert.signature);
  }

  /** Verifies a signature over {@code data} (a certificate or CRL body); never throws. */
  static boolean verify(String jcaName, byte[] parameters, PublicKey key, byte[] data,
      byte[] signatureBytes) {
    try {
      if (jcaName.endsWith("ECDSA")) {
        java.util.Optional<Boolean> fast = EcdsaVerifier.verify(jcaName, key, data, signatureBytes);
        if (fast.isPresent()) {
          return fast.get();
        }
      }
      Signature verifier = jcaName.endsWith("ECDSA")
          ? Signature.getInstance(jcaName, BouncyCastleHolder.PROVIDER)
          : Signature.getInstance(jcaName);
      if (jcaName.equals("RSASSA-PSS")) {
        if (parameters == null) {
          return false;
        }
        AlgorithmParameters pss = AlgorithmParameters.getInstance("RSASSA-PSS");
        pss.init(parameters);
        verifier.setParameter(pss.getParameterSpec(PSSParameterSpec.class));
      }
      verifier.initVerify(key);
      verifier.update(data);
      return verifier.verify(signatureBytes);
    } catch (GeneralSecurityException | RuntimeException | java.io.IOException e) {
      return false;
    }
  }
}
