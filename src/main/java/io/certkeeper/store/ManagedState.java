package io.certkeeper.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What the store knows of one managed certificate: the generation in force and how renewing it
 * goes.
 *
 * @param node the node that holds it
 * @param keySha256 SHA-256 of the certificate's subjectPublicKeyInfo
 * @param generation how many generations have been put in force, this one included
 * @param nextAttemptAt no renewal attempt before this time (backoff after a failure)
 * @param lastHookError the last hook failure of this generation
 * @param servedSha256 what a listener served after the last swap (the closed loop)
 */
public record ManagedState(String node, String name, String serial, String sha256, String keySha256, Instant notBefore,
    Instant notAfter, long generation, Instant lastRenewedAt, int consecutiveFailures, Optional<String> lastError,
    Optional<Instant> lastErrorAt, Optional<Instant> nextAttemptAt, Optional<String> lastHookError,
    Optional<String> servedSha256) {

  public Duration lifetime() {
    return Duration.between(notBefore, notAfter);
  }
}
