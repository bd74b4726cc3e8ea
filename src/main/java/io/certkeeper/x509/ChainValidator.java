package io.certkeeper.x509;

import java.util.Objects;

/**
 * Strict X.509 path validation for TLS: builds a path from the leaf to a trust anchor through
 * the untrusted certificates offered (any order, with duplicates and strangers), backtracking
 * past dead ends, and judges it by RFC 5280 and the CA/Browser Forum rules a TLS client applies.
 *
 * <p>Beyond what the JDK's PKIX validator does, it enforces: name constraints on trust anchors
 * and wildcard names; subjectAltName matching only (no common-name fallback, wildcards only as a
 * whole left-most label and never over a public suffix, IP addresses only against iPAddress
 * entries); minimum key sizes and named curves; no MD5, SHA-1 or DSA signatures below the anchor;
 * no CA certificate as the leaf; the certificate profile (serial numbers, key identifiers,
 * criticality of extensions, well-formed names and constraints). It does not implement
 * certificate-policy processing (policy trees); policy extensions are accepted, and
 * policyConstraints must be critical. Work per call is bounded, so hostile chains stay fast.
 *
 * <p>Typical use: {@code ChainValidator.strict().validate(ValidationRequest.builder(leaf,
 * TrustAnchors.system(), clock.instant()).untrusted(rest).peerName(PeerName.parse(host)).build())}.
 * Thread-safe and reusable; the only state kept between calls is a bounded cache of verified
 * signatures (see {@link SignatureCache}).
 */
public final class ChainValidator {
  /** Longest path considered: this many intermediates between leaf and anchor. */
  static final int MAX_INTERMEDIATES = 8;

  private static final ChainValidator STRICT =
      new ChainValidator(new SignatureCache(SignatureCache.DEFAULT_CAPACITY));

  private final SignatureCache signatures;

  private ChainValidator(SignatureCache signatures) {
    this.signatures = signatures;
  }

  /** The same rules without remembering verified signatures (for measurements). */
  static ChainValidator withoutSignatureCache() {
    return new ChainValidator(null);
  }

  /** The validator described above. */
  public static ChainValidator strict() {
    return STRICT;
  }

  /** Validates one chain; never throws for bad certificates, only reports them. */
  public ValidationResult validate(ValidationRequest request) {
    Objects.requireNonNull(request, "request");
    return new PathSearch(request, signatures).run();
  }
}
