package io.certkeeper.ca;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x509.CRLReason;

/** Why a certificate was revoked: the RFC 5280 reason codes that apply to end-entity certificates. */
public enum RevocationReason {
  UNSPECIFIED("unspecified", CRLReason.unspecified),
  KEY_COMPROMISE("keyCompromise", CRLReason.keyCompromise),
  AFFILIATION_CHANGED("affiliationChanged", CRLReason.affiliationChanged),
  SUPERSEDED("superseded", CRLReason.superseded),
  CESSATION_OF_OPERATION("cessationOfOperation", CRLReason.cessationOfOperation),
  PRIVILEGE_WITHDRAWN("privilegeWithdrawn", CRLReason.privilegeWithdrawn);

  private final String code;
  private final int crlReason;

  RevocationReason(String code, int crlReason) {
    this.code = code;
    this.crlReason = crlReason;
  }

  /** The RFC 5280 name, as on the command line and in the store. */
  public String code() {
    return code;
  }

  /** The CRLReason code (RFC 5280 5.3.1). */
  public int crlReason() {
    return crlReason;
  }

  public static String codes() {
    return Arrays.stream(values()).map(RevocationReason::code).collect(Collectors.joining(", "));
  }

  /** The reason named {@code code} (case-insensitive). */
  public static RevocationReason parse(String code) {
    for (RevocationReason r : values()) {
      if (r.code.equalsIgnoreCase(code == null ? "" : code.trim())) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown revocation reason '" + code + "' (known: " + codes() + ")");
  }
}
