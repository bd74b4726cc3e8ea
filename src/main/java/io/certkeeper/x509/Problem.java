package io.certkeeper.x509;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/**
 * Why a certificate chain was rejected. The codes are shared with the prober and stored, so they
 * never change; the declaration order is the severity order, most severe first, which is what
 * {@link #worst(Collection)} and {@link ValidationResult#worst()} use.
 */
public enum Problem {
  /** A CRL given by the caller lists a certificate of the path as revoked. */
  REVOKED,
  /** A certificate's revocation status was required and no usable CRL covers it. */
  REVOCATION_UNKNOWN,
  /** A signature on the path does not verify with its issuer's key. */
  BAD_SIGNATURE,
  /** The path ends at a self-signed CA certificate that is not a trust anchor. */
  UNTRUSTED_ROOT,
  /** The leaf is self-signed and not itself a trust anchor. */
  SELF_SIGNED,
  /** No issuer was found for some certificate: intermediates are missing. */
  INCOMPLETE_CHAIN,
  /** A certificate of the path is past its notAfter at the validation time. */
  EXPIRED,
  /** A certificate of the path is before its notBefore at the validation time. */
  NOT_YET_VALID,
  /** The leaf is not valid for the expected peer name (no CN fallback). */
  HOSTNAME_MISMATCH,
  /** The leaf (or a CA above it) does not allow the requested purpose. */
  WRONG_EKU,
  /** A name on the path is outside what a CA's name constraints allow. */
  NAME_CONSTRAINT_VIOLATION,
  /** No certificate policy is valid for the whole path (RFC 5280 6.1.5 (g)). */
  POLICY_VIOLATION,
  /** A certificate acts as a CA without being one, or the leaf claims to be a CA. */
  INVALID_BASIC_CONSTRAINTS,
  /** More CA certificates follow a CA than its pathLenConstraint (or the maximum depth) allows. */
  PATH_LEN_EXCEEDED,
  /** A critical extension that this validator does not process. */
  UNSUPPORTED_CRITICAL_EXTENSION,
  /** A forbidden signature algorithm: MD5, SHA-1 or DSA below the trust anchor. */
  WEAK_SIGNATURE,
  /** A forbidden key: RSA below 2048 bits, a curve other than P-256/384/521, DSA. */
  WEAK_KEY,
  /** A certificate (or CRL) breaks the RFC 5280 / CA/Browser Forum profile. */
  MALFORMED;

  /** The stable snake_case code, e.g. {@code "hostname_mismatch"}. */
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The problem for {@code code}, as returned by {@link #code()}. */
  public static Problem fromCode(String code) {
    return valueOf(code.toUpperCase(Locale.ROOT));
  }

  /** The most severe of {@code problems}, or empty if there are none. */
  public static Optional<Problem> worst(Collection<Problem> problems) {
    return problems.stream().min(Comparator.naturalOrder());
  }
}
