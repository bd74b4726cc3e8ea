package io.certkeeper.x509;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/** SHA-256 fingerprints as lowercase hex, the identity of certificates and keys everywhere. */
public final class Fingerprints {
  private Fingerprints() {}

  /** SHA-256 of the certificate's DER encoding. */
  public static String sha256(X509Certificate cert) {
    try {
      return sha256(cert.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("certificate cannot be encoded: " + e.getMessage(), e);
    }
  }

  /** SHA-256 of the certificate's SubjectPublicKeyInfo: equal for certificates sharing a key. */
  public static String spkiSha256(X509Certificate cert) {
    return sha256(cert.getPublicKey().getEncoded());
  }

  /** SHA-256 of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(digest().digest(bytes));
  }

  /** A fresh SHA-256 digest, for fingerprints of data fed in parts. */
  public static MessageDigest sha256Digest() {
    return digest();
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
