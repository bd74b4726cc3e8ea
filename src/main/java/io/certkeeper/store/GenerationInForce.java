package io.certkeeper.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A generation of a managed certificate as the store records it when it is put in force.
 *
 * @param serial lowercase hex, as in {@code issued_certificates}
 * @param sha256 the certificate's fingerprint
 * @param keySha256 SHA-256 of its subjectPublicKeyInfo (tells a reused key from a new one)
 */
public record GenerationInForce(String serial, String sha256, String keySha256, Instant notBefore, Instant notAfter) {
  public GenerationInForce {
    Objects.requireNonNull(serial, "serial");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(keySha256, "keySha256");
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(notAfter, "notAfter");
  }
}
