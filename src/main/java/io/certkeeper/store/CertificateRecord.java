package io.certkeeper.store;

import io.certkeeper.x509.CertificateInfo;
import java.time.Instant;

/**
 * A certificate as the inventory holds it: its facts, where it came from, and when it was first and
 * last seen.
 *
 * @param source the strongest of where it was known from: {@link Source#ISSUED} by the local CA, else
 *     {@link Source#OBSERVED} on an endpoint, else {@link Source#FILE} found in a watched file
 */
public record CertificateRecord(CertificateInfo info, Source source, Instant firstSeen, Instant lastSeen, String pem) {

  /**
   * Where a certificate is known from. A certificate known from several keeps the strongest (the
   * first of these): issued here says the most about it, a file the least.
   */
  public enum Source {
    ISSUED, OBSERVED, FILE;

    /** Whether this source says more about a certificate than {@code other}. */
    public boolean outranks(Source other) {
      return ordinal() < other.ordinal();
    }

    /** The lowercase name used in the database, the CLI and JSON. */
    public String code() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    static Source ofCode(String code) {
      return valueOf(code.toUpperCase(java.util.Locale.ROOT));
    }
  }
}
