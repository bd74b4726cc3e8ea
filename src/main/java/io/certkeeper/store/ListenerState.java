package io.certkeeper.store;

import java.time.Instant;
import java.util.Optional;

/**
 * What a listener serves and how its last reload went.
 *
 * @param node the node whose listener it is
 * @param verifiedSha256 the leaf a real connection saw after the last swap; differs from {@code
 *     sha256} when the listener does not serve what it loaded
 * @param lastError why the last reload was refused (the previous certificate kept serving)
 */
public record ListenerState(String node, String name, String bind, String role, String sha256, String serial, Instant notAfter,
    Instant loadedAt, Optional<String> verifiedSha256, Optional<Instant> verifiedAt, Optional<String> lastError,
    Optional<Instant> lastErrorAt) {

  /** Whether the last check found the listener serving something else than it loaded. */
  public boolean mismatch() {
    return verifiedSha256.isPresent() && !verifiedSha256.get().equals(sha256);
  }
}
