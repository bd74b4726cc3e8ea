package io.certkeeper.renew;

import io.certkeeper.util.Preconditions;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * When a managed certificate is renewed: at {@code renew-at} of its lifetime (default two thirds)
 * or {@code renew-before} its notAfter, plus a jitter that is fixed for each certificate name (so
 * many certificates issued together do not all renew in the same minute, and a restart does not
 * move the time), never later than {@link #SAFETY_MARGIN} before notAfter.
 *
 * @param renewAt fraction of the lifetime after which to renew; exclusive with {@code renewBefore}
 * @param renewBefore time before notAfter at which to renew
 */
public record RenewalPolicy(Optional<Double> renewAt, Optional<Duration> renewBefore) {
  /** Renew when two thirds of the lifetime have passed: leaves a third for retries and alerts. */
  public static final double DEFAULT_RENEW_AT = 2.0 / 3.0;
  /** Jitter is at most this fraction of the lifetime ... */
  static final double JITTER_FRACTION = 0.01;
  /** ... and at most this long. */
  static final Duration MAX_JITTER = Duration.ofHours(6);
  /** Jitter never pushes the renewal closer than this to notAfter. */
  static final Duration SAFETY_MARGIN = Duration.ofHours(1);

  public RenewalPolicy {
    Objects.requireNonNull(renewAt, "renewAt");
    Objects.requireNonNull(renewBefore, "renewBefore");
    Preconditions.requireArgument(renewAt.isEmpty() || renewBefore.isEmpty(), "renew-at and renew-before exclude each other");
    renewAt.ifPresent(f -> Preconditions.requireArgument(f > 0 && f < 1, "renew-at must be within (0, 1): %s", f));
    renewBefore.ifPresent(d -> Preconditions.requireArgument(!d.isNegative() && !d.isZero(),
        "renew-before must be positive: %s", d));
  }

  /** The default: renew at two thirds of the lifetime. */
  public static RenewalPolicy defaults() {
    return new RenewalPolicy(Optional.empty(), Optional.empty());
  }

  public static RenewalPolicy at(double fraction) {
    return new RenewalPolicy(Optional.of(fraction), Optional.empty());
  }

  public static RenewalPolicy before(Duration d) {
    return new RenewalPolicy(Optional.empty(), Optional.of(d));
  }

  /** The start of the renewal window, before jitter (never before notBefore). */
  public Instant windowStart(Instant notBefore, Instant notAfter) {
    Duration lifetime = Duration.between(notBefore, notAfter);
    if (renewBefore.isPresent()) {
      Instant t = notAfter.minus(renewBefore.get());
      return t.isBefore(notBefore) ? notBefore : t;
    }
    double f = renewAt.orElse(DEFAULT_RENEW_AT);
    return notBefore.plusMillis((long) (lifetime.toMillis() * f));
  }

  /**
   * The jitter for certificate {@code name}: a fixed fraction (from a hash of the name) of
   * min({@link #JITTER_FRACTION} × lifetime, {@link #MAX_JITTER}).
   */
  static Duration jitter(String name, Instant notBefore, Instant notAfter) {
    Duration lifetime = Duration.between(notBefore, notAfter);
    long maxMillis = Math.min((long) (lifetime.toMillis() * JITTER_FRACTION), MAX_JITTER.toMillis());
    if (maxMillis <= 0) {
      return Duration.ZERO;
    }
    return Duration.ofMillis((long) (unitHash(name) * maxMillis));
  }

  /** When {@code name} is renewed: window start plus jitter, capped before notAfter. */
  public Instant renewalTime(String name, Instant notBefore, Instant notAfter) {
    Instant start = windowStart(notBefore, notAfter);
    Instant jittered = start.plus(jitter(name, notBefore, notAfter));
    Instant latest = notAfter.minus(SAFETY_MARGIN);
    if (jittered.isAfter(latest)) {
      return start.isAfter(latest) ? start : latest;
    }
    return jittered;
  }

  /** How the policy reads in the configuration. */
  public String describe() {
    if (renewBefore.isPresent()) {
      return "renew-before " + io.certkeeper.util.Durations.format(renewBefore.get());
    }
    return String.format(java.util.Locale.ROOT, "renew-at %.0f%% of the lifetime%s",
        renewAt.orElse(DEFAULT_RENEW_AT) * 100, renewAt.isPresent() ? "" : " (default)");
  }

  /** A number in [0, 1) fixed for {@code name}. */
  static double unitHash(String name) {
    return io.certkeeper.util.Jitter.fraction(name);
  }
}
