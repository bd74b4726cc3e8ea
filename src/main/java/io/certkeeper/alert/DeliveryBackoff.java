package io.certkeeper.alert;

import java.time.Duration;

/**
 * How long a delivery waits after a temporary failure (server down, 4xx): one minute, doubling with
 * each attempt, at most an hour. A delivery is retried until it is delivered or fails for good.
 */
final class DeliveryBackoff {
  static final Duration FIRST = Duration.ofMinutes(1);
  static final Duration MAX = Duration.ofHours(1);

  private DeliveryBackoff() {}

  /** The wait after failed attempt number {@code attempts} (1 for the first). */
  static Duration delay(int attempts) {
    if (attempts <= 1) {
      return FIRST;
    }
    int shift = Math.min(attempts - 1, 20);
    Duration d = FIRST.multipliedBy(1L << shift);
    return d.compareTo(MAX) > 0 ? MAX : d;
  }
}
