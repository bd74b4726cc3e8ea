package io.certkeeper.ca;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Locale;

/**
 * Certificate serial numbers: 128 random bits from a {@link SecureRandom}, always positive and
 * non-zero (at most 17 DER bytes, below RFC 5280's 20-octet limit). Randomness is what makes
 * serials unpredictable to whoever asks for a certificate; uniqueness is enforced by the store.
 */
public final class SerialNumbers {
  /** Random bits per serial; the CA/Browser Forum asks for at least 64. */
  public static final int RANDOM_BITS = 128;

  private static final SecureRandom RANDOM = new SecureRandom();

  private SerialNumbers() {}

  /** A fresh random serial. */
  public static BigInteger next() {
    while (true) {
      byte[] b = new byte[RANDOM_BITS / 8];
      RANDOM.nextBytes(b);
      BigInteger n = new BigInteger(1, b);
      if (n.signum() > 0) {
        return n;
      }
    }
  }

  /** The store's form: lowercase hex without leading zeros. */
  public static String hex(BigInteger serial) {
    return serial.toString(16);
  }

  /**
   * Reads a serial as users paste it: hex, optionally with {@code 0x}, colons or spaces, any case.
   *
   * @throws IllegalArgumentException when it is not a positive hex number
   */
  public static String normalize(String text) {
    String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    if (s.startsWith("0x")) {
      s = s.substring(2);
    }
    s = s.replace(":", "").replace(" ", "");
    if (s.isEmpty() || s.length() > 40 || !s.matches("[0-9a-f]+")) {
      throw new IllegalArgumentException("'" + text + "' is not a serial number (expected hex, e.g. 5f3a...)");
    }
    BigInteger n = new BigInteger(s, 16);
    if (n.signum() <= 0) {
      throw new IllegalArgumentException("serial number must be positive: '" + text + "'");
    }
    return n.toString(16);
  }
}
