package io.certkeeper.ca;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Locale;

/**
 * Certificate serial numbers: the issuing moment in milliseconds since 1970, then 96 random bits
 * from a {@link SecureRandom}. They are positive, below 2^159 for any clock (RFC 5280's 20 octets;
 * 18 until the year 6429), and carry more than the 64 bits of CSPRNG output the CA/Browser Forum
 * asks for: whoever asks for a certificate still cannot predict its serial. Uniqueness is enforced
 * by the store.
 *
 * <p>The time in front is for the store. Serials key {@code issued_certificates}, and a B-tree keyed
 * by random values rewrites a different page for every certificate, at every commit; serials that
 * grow with time land on the last pages, which one commit rewrites once for all the certificates
 * it holds. The moment a serial shows was already in the certificate's notBefore, to the second
 * (less the 5 minutes it is backdated).
 */
public final class SerialNumbers {
  /** Random bits per serial; the CA/Browser Forum asks for at least 64. */
  public static final int RANDOM_BITS = 96;

  private static final SecureRandom RANDOM = new SecureRandom();

  private SerialNumbers() {}

  /**
   * A fresh serial for a certificate issued now by {@code clock}. In the store's hex form (35 digits
   * from November 2004 to June 2527), serials of later milliseconds sort after earlier ones, and
   * among one millisecond at random; a clock before 1970 counts as 1970.
   */
  public static BigInteger next(Clock clock) {
    BigInteger millis = BigInteger.valueOf(Math.max(0, clock.millis())).shiftLeft(RANDOM_BITS);
    while (true) {
      byte[] b = new byte[RANDOM_BITS / 8];
      RANDOM.nextBytes(b);
      BigInteger n = millis.or(new BigInteger(1, b));
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
