package io.certkeeper.renew;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How long to wait after a failed renewal before the next attempt: doubling from {@link #FIRST}
 * up to {@link #MAX}, and never more than {@link #LEFT_FRACTION} of the time the current
 * certificate has left (but at least {@link #MIN}), so a certificate close to expiry is retried
 * often.
 */
final class RenewalBackoff {
  /** The wait after the first failure. */
  static final Duration FIRST = Duration.ofMinutes(5);
  /** The longest wait. */
  static final Duration MAX = Duration.ofHours(6);
  /** The wait is at most this fraction of the time left ... */
  static final double LEFT_FRACTION = 0.1;
  /** ... but never shorter than this. */
  static final Duration MIN = Duration.ofMinutes(1);

  private RenewalBackoff() {}

  /**
   * @param failures consecutive failures so far, at least 1
   * @param timeLeft until the current certificate expires (zero or negative when it has)
   */
  static Duration delay(int failures, Duration timeLeft) {
    int doublings = Math.max(0, Math.min(failures - 1, 20));
    Duration d = FIRST.multipliedBy(1L << doublings);
    if (d.compareTo(MAX) > 0) {
      d = MAX;
    }
    Duration leftCap = Duration.ofMillis((long) (Math.max(0, timeLeft.toMillis()) * LEFT_FRACTION));
    if (leftCap.compareTo(MIN) < 0) {
      leftCap = MIN;
    }
    return d.compareTo(leftCap) > 0 ? leftCap : d;
  }

  /** The longest wait a server's Retry-After imposes. */
  static final Duration MAX_SERVER_WAIT = Duration.ofDays(7);

  /**
   * When to try again after failure number {@code failures}: after {@link #delay}, or at the time
   * the server gave (an ACME {@code rateLimited} with Retry-After) when that is later: sooner would
   * only be refused again.
   */
  static Instant next(Instant now, int failures, Duration timeLeft, Optional<Instant> serverSays) {
    Instant ours = now.plus(delay(failures, timeLeft));
    // a server's time is believed up to a week ahead (a bogus far date must not stop the renewals)
    Instant next = serverSays.map(t -> t.isAfter(now.plus(MAX_SERVER_WAIT)) ? now.plus(MAX_SERVER_WAIT) : t)
        .filter(t -> t.isAfter(ours)).orElse(ours);
    return next.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
  }
}
