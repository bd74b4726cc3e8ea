package io.certkeeper.store;

import io.certkeeper.x509.CertificateInfo;
import java.time.Instant;

/**
 * A certificate as the inventory holds it: its facts, where it came from, and when it was first and
 * last seen.
 *
 * @param source {@link Source#ISSUED} by the local CA or {@link Source#OBSERVED} on an endpoint
 */
public record CertificateRecord(CertificateInfo info, Source source, Instant firstSeen, Instant lastSeen, String pem) {

  /** Where a certificate entered the inventory. */
  public enum Source {
    ISSUED, OBSERVED;

    /** The lowercase name used in the database, the CLI and JSON. */
    public String code() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    static Source ofCode(String code) {
      return valueOf(code.toUpperCase(java.util.Locale.ROOT));
    }
  }
}
