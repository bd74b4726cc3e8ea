package io.certkeeper.probe;

import java.util.Locale;

/** What an OCSP response says about the leaf certificate; {@code NONE} when there was none. */
public enum OcspStatus {
  GOOD,
  REVOKED,
  UNKNOWN,
  /** A response for the leaf that failed verification: wrong signer, responder or freshness. */
  INVALID,
  NONE;

  /** {@code good}, {@code revoked}, {@code unknown}, {@code invalid} or {@code none}. */
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }
}
