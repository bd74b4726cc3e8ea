package io.certkeeper.renew;

import io.certkeeper.util.HumanTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Refuses renewals that would do harm when repeated: one that would not extend notAfter (a clock
 * gone backwards, a validity shortened below what is left), and a second one within {@link
 * #minInterval} of the last (a loop). {@code renew --force} skips the interval, never the notAfter
 * rule. Messages are one line for people: {@code renewed 12m 5s ago; at most one renewal per 1h}.
 */
final class StormGuard {
  /** At most one renewal per certificate within this time ... */
  static final Duration MIN_INTERVAL = Duration.ofHours(1);
  /** ... or within this fraction of its lifetime, when that is shorter. */
  static final double MIN_INTERVAL_FRACTION = 0.1;

  private StormGuard() {}

  static Duration minInterval(Duration lifetime) {
    Duration f = Duration.ofMillis((long) (lifetime.toMillis() * MIN_INTERVAL_FRACTION));
    return f.compareTo(MIN_INTERVAL) < 0 ? f : MIN_INTERVAL;
  }

  /**
   * Why a renewal now must not happen, or empty when it may.
   *
   * @param currentNotAfter notAfter of the certificate in force
   * @param newNotAfter notAfter the new certificate would have
   * @param lastRenewedAt when the certificate in force was put in force
   * @param lifetime the lifetime of the certificate in force
   */
  static Optional<String> refusal(Instant currentNotAfter, Instant newNotAfter, Instant lastRenewedAt,
      Duration lifetime, Instant now, boolean force) {
    // Too soon is a refusal, not a failure: check it first, so that a second request right after a
    // renewal (whose new notAfter would not be later either) is refused rather than recorded as failed.
    if (tooSoon(lastRenewedAt, lifetime, now, force)) {
      Duration since = Duration.between(lastRenewedAt, now);
      return Optional.of("renewed " + HumanTime.duration(since.isNegative() ? Duration.ZERO : since)
          + " ago; at most one renewal per " + HumanTime.duration(minInterval(lifetime)));
    }
    if (!newNotAfter.isAfter(currentNotAfter)) {
      return Optional.of("the new certificate would expire at " + HumanTime.instant(newNotAfter)
          + ", not after the current one (" + HumanTime.instant(currentNotAfter) + ")");
    }
    return Optional.empty();
  }

  /** Whether the last renewal is more recent than the minimum interval (never with {@code force}). */
  static boolean tooSoon(Instant lastRenewedAt, Duration lifetime, Instant now, boolean force) {
    return !force && Duration.between(lastRenewedAt, now).compareTo(minInterval(lifetime)) < 0;
  }
}
