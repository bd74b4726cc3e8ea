package io.certkeeper.ca;

import io.certkeeper.x509.KeyType;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code ca.json}: what a CA directory holds. Written last by {@code ca init}, so a directory
 * without it is an interrupted init; the fingerprints catch a certificate file swapped or damaged
 * later.
 *
 * @param format version of this file's shape (1)
 * @param keyType the CA keys' type, written as its code ({@code ec-p256})
 * @param intermediateSha256 present when an intermediate issues the leaves
 */
public record CaManifest(int format, String name, KeyType keyType, Instant createdAt, String rootSha256,
    Optional<String> intermediateSha256) {
  static final int FORMAT = 1;

  public boolean hasIntermediate() {
    return intermediateSha256.isPresent();
  }
}
