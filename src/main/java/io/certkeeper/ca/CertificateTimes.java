package io.certkeeper.ca;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1UTCTime;
import org.bouncycastle.asn1.x509.Time;

/**
 * A certificate's validity times as RFC 5280 §4.1.2.5 encodes them: UTCTime for the years 1950
 * to 2049, GeneralizedTime otherwise, to the second, in UTC ("Z").
 *
 * <p>Bouncy Castle's {@code Time(Date)} does the same through a new {@code SimpleDateFormat} to
 * format and another to check what it formatted, which costs as much as a tenth of signing a
 * leaf; this builds the DER once with a shared {@link DateTimeFormatter}.
 */
final class CertificateTimes {
  private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")
      .withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter GENERALIZED_TIME = DateTimeFormatter.ofPattern("uuuuMMddHHmmss'Z'")
      .withZone(ZoneOffset.UTC);
  private static final Instant UTC_FROM = Instant.parse("1950-01-01T00:00:00Z");
  private static final Instant UTC_UNTIL = Instant.parse("2050-01-01T00:00:00Z");
  /** GeneralizedTime has four digits for the year. */
  private static final Instant LAST = Instant.parse("9999-12-31T23:59:59Z");
  /** DER tags of UTCTime and GeneralizedTime. */
  private static final int UTC_TAG = 0x17;
  private static final int GENERALIZED_TAG = 0x18;

  private CertificateTimes() {}

  /** {@code at}, truncated to the second, as a certificate's notBefore or notAfter. */
  static Time of(Instant at) {
    Instant t = at.truncatedTo(ChronoUnit.SECONDS);
    if (t.isAfter(LAST) || t.isBefore(Instant.EPOCH.minus(1970L * 366, ChronoUnit.DAYS))) {
      throw new IllegalArgumentException("a certificate time must lie in the years 0000 to 9999, not " + at);
    }
    boolean utc = !t.isBefore(UTC_FROM) && t.isBefore(UTC_UNTIL);
    byte[] text = (utc ? UTC_TIME : GENERALIZED_TIME).format(t).getBytes(StandardCharsets.US_ASCII);
    byte[] der = new byte[text.length + 2];
    der[0] = (byte) (utc ? UTC_TAG : GENERALIZED_TAG);
    der[1] = (byte) text.length; // 13 or 15: short form
    System.arraycopy(text, 0, der, 2, text.length);
    return new Time(utc ? ASN1UTCTime.getInstance(der) : ASN1GeneralizedTime.getInstance(der));
  }
}
