package io.certkeeper.x509;

import io.certkeeper.util.Coded;
import java.security.PublicKey;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The key types certkeeper generates and accepts, named as on the command line and in the
 * configuration. Each knows the signature algorithm a certificate signed with such a key uses:
 * SHA-256 with P-256 and RSA, SHA-384 with P-384, pure EdDSA with Ed25519.
 */
public enum KeyType implements Coded {
  EC_P256("ec-p256", "EC", 256, "SHA256withECDSA"),
  EC_P384("ec-p384", "EC", 384, "SHA384withECDSA"),
  RSA_2048("rsa-2048", "RSA", 2048, "SHA256withRSA"),
  RSA_3072("rsa-3072", "RSA", 3072, "SHA256withRSA"),
  RSA_4096("rsa-4096", "RSA", 4096, "SHA256withRSA"),
  ED25519("ed25519", "Ed25519", 256, "Ed25519");

  /** The key type used when nothing else is configured. */
  public static final KeyType DEFAULT = EC_P256;

  private final String code;
  private final String family;
  private final int bits;
  private final String signatureAlgorithm;

  KeyType(String code, String family, int bits, String signatureAlgorithm) {
    this.code = code;
    this.family = family;
    this.bits = bits;
    this.signatureAlgorithm = signatureAlgorithm;
  }

  /** The name on the command line and in configuration, e.g. {@code ec-p256}. */
  @Override
  public String code() {
    return code;
  }

  /** {@code EC}, {@code RSA} or {@code Ed25519}. */
  public String family() {
    return family;
  }

  /** Modulus size for RSA, field size for EC, 256 for Ed25519. */
  public int bits() {
    return bits;
  }

  public boolean isRsa() {
    return family.equals("RSA");
  }

  /** The JCA signature algorithm for signing with a key of this type. */
  public String signatureAlgorithm() {
    return signatureAlgorithm;
  }

  /** Every code, comma-separated, for help texts and error messages. */
  public static String codes() {
    return Arrays.stream(values()).map(KeyType::code).collect(Collectors.joining(", "));
  }

  /**
   * The key type named {@code code} (case-insensitive).
   *
   * @throws IllegalArgumentException naming the code and the known ones
   */
  public static KeyType parse(String code) {
    String c = code == null ? "" : code.trim().toLowerCase(Locale.ROOT);
    for (KeyType t : values()) {
      if (t.code.equals(c)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown key type '" + code + "' (known: " + codes() + ")");
  }

  /** The type of {@code key}, or empty when it is none of ours (RSA-1024, P-521, Ed448, DSA...). */
  public static Optional<KeyType> of(PublicKey key) {
    if (key instanceof RSAPublicKey) {
      int n = ((RSAPublicKey) key).getModulus().bitLength();
      return Arrays.stream(values()).filter(t -> t.isRsa() && t.bits == n).findFirst();
    }
    if (key instanceof ECPublicKey) {
      // By curve name, not size: secp256k1 and brainpoolP256r1 are 256 bits too.
      ASN1Encodable params = SubjectPublicKeyInfo.getInstance(key.getEncoded()).getAlgorithm().getParameters();
      if (SECObjectIdentifiers.secp256r1.equals(params)) {
        return Optional.of(EC_P256);
      }
      if (SECObjectIdentifiers.secp384r1.equals(params)) {
        return Optional.of(EC_P384);
      }
      return Optional.empty();
    }
    String alg = key.getAlgorithm();
    if ((alg.equals("Ed25519") || alg.equals("EdDSA")) && key.getEncoded().length == 44) {
      return Optional.of(ED25519);
    }
    return Optional.empty();
  }
}
