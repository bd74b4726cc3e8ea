package io.certkeeper.x509;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.math.BigInteger;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Fresh key pairs of a {@link KeyType}. EC and Ed25519 keys come from Bouncy Castle (several
 * times faster than SunEC on JDK 17), RSA keys from the JDK.
 *
 * <p>{@link #provider()} is the one Bouncy Castle provider instance of the process; code that
 * signs passes it directly instead of looking providers up by name on every call.
 */
public final class KeyPairs {
  private static final Provider BC = new BouncyCastleProvider();
  private static final SecureRandom RANDOM = new SecureRandom();
  /**
   * One EC P-256 generator per thread, set up once: getting and initialising a generator costs
   * more than a P-256 key, and threads issuing at once would otherwise queue on one random source.
   */
  private static final ThreadLocal<KeyPairGenerator> P256 = ThreadLocal.withInitial(() -> {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC", BC);
      g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      return g;
    } catch (GeneralSecurityException e) {
      throw new AssertionError("cannot set up an ec-p256 key generator", e);
    }
  });

  private KeyPairs() {}

  /** The shared Bouncy Castle provider (not registered globally). */
  public static Provider provider() {
    return BC;
  }

  /** A new key pair of {@code type}. */
  public static KeyPair generate(KeyType type) {
    try {
      KeyPairGenerator g;
      switch (type) {
        case EC_P256:
          return P256.get().generateKeyPair();
        case EC_P384:
          g = KeyPairGenerator.getInstance("EC", BC);
          g.initialize(new ECGenParameterSpec(type == KeyType.EC_P256 ? "secp256r1" : "secp384r1"), RANDOM);
          break;
        case ED25519:
          g = KeyPairGenerator.getInstance("Ed25519", BC);
          break;
        case RSA_2048:
        case RSA_3072:
        case RSA_4096:
          g = KeyPairGenerator.getInstance("RSA");
          g.initialize(new RSAKeyGenParameterSpec(type.bits(), BigInteger.valueOf(65537)), RANDOM);
          break;
        default:
          throw new AssertionError(type);
      }
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new AssertionError("cannot generate a " + type.code() + " key", e);
    }
  }
}
