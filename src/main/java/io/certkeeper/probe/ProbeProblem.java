package io.certkeeper.probe;

import java.util.Locale;

/**
 * Everything the prober can find wrong with an endpoint: the chain validator's codes plus the
 * probe's own. Declaration order is severity, worst first: a result's status is its first
 * problem in this order. Network failures come first because nothing else could be checked.
 */
public enum ProbeProblem {
  DNS_ERROR,
  REFUSED,
  TIMEOUT,
  PROXY_ERROR,
  STARTTLS_FAILED,
  NOT_TLS,
  CLIENT_CERT_REQUIRED,
  HANDSHAKE_FAILED,
  MALFORMED,
  REVOKED,
  REVOCATION_UNKNOWN,
  EXPIRED,
  NOT_YET_VALID,
  BAD_SIGNATURE,
  SELF_SIGNED,
  UNTRUSTED_ROOT,
  INCOMPLETE_CHAIN,
  HOSTNAME_MISMATCH,
  WRONG_EKU,
  NAME_CONSTRAINT_VIOLATION,
  POLICY_VIOLATION,
  INVALID_BASIC_CONSTRAINTS,
  PATH_LEN_EXCEEDED,
  UNSUPPORTED_CRITICAL_EXTENSION,
  WEAK_KEY,
  WEAK_SIGNATURE,
  WEAK_PROTOCOL,
  WEAK_CIPHER,
  EXPIRING;

  /** The code as printed and stored: {@code hostname_mismatch}, {@code weak_cipher}... */
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The problem for a code such as {@code untrusted_root}. */
  public static ProbeProblem ofCode(String code) {
    try {
      return valueOf(code.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown problem code '" + code + "'", e);
    }
  }

  /** True for the codes that mean no certificate could be read from the endpoint. */
  public boolean isNetworkFailure() {
    return ordinal() <= HANDSHAKE_FAILED.ordinal() && this != CLIENT_CERT_REQUIRED;
  }

  @Override
  public String toString() {
    return code();
  }
}
