package io.certkeeper.ca;

import io.certkeeper.util.Durations;
import io.certkeeper.x509.KeyType;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A new CA: a root named {@code name} valid for {@code validity}, and, when {@code
 * intermediateValidity} is present, an intermediate under it that issues the leaves (the root key
 * can then stay untouched for years).
 */
public record InitRequest(String name, KeyType keyType, Duration validity, Optional<Duration> intermediateValidity) {
  /** Ten years for a root. */
  public static final Duration DEFAULT_ROOT_VALIDITY = Duration.ofDays(3650);
  /** Five years for an intermediate. */
  public static final Duration DEFAULT_INTERMEDIATE_VALIDITY = Duration.ofDays(1825);
  public static final String DEFAULT_NAME = "certkeeper local CA";

  public InitRequest {
    Objects.requireNonNull(keyType, "keyType");
    if (name == null || name.isBlank() || name.length() > 64) {
      throw new IllegalArgumentException("CA name must be 1 to 64 characters, got '" + name + "'");
    }
    if (validity.isNegative() || validity.isZero()) {
      throw new IllegalArgumentException("root validity must be positive, got " + Durations.format(validity));
    }
    if (intermediateValidity.isPresent()) {
      Duration iv = intermediateValidity.get();
      if (iv.isNegative() || iv.isZero()) {
        throw new IllegalArgumentException("intermediate validity must be positive, got " + Durations.format(iv));
      }
      if (iv.compareTo(validity) > 0) {
        throw new IllegalArgumentException("the intermediate (" + Durations.format(iv)
            + ") would outlive the root (" + Durations.format(validity) + ")");
      }
    }
  }
}
