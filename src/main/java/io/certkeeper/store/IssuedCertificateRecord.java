package io.certkeeper.store;

import java.time.Instant;
import java.util.Optional;

/**
 * A certificate the local CA signed, as {@code issued_certificates} holds it.
 *
 * @param serial serial number, lowercase hex without leading zeros
 * @param sha256 the certificate's fingerprint: its row in {@code certificates}
 * @param issuerSha256 fingerprint of the CA certificate that signed it
 * @param profile {@code root}, {@code intermediate}, {@code server}, {@code client} or
 *     {@code server-client}
 * @param revocationReason RFC 5280 reason name such as {@code keyCompromise}, when revoked
 */
public record IssuedCertificateRecord(
    String serial,
    String sha256,
    String issuerSha256,
    String profile,
    Instant issuedAt,
    Optional<Instant> revokedAt,
    Optional<String> revocationReason) {

  public boolean revoked() {
    return revokedAt.isPresent();
  }
}
