package io.certkeeper.renew;

import io.certkeeper.config.CertificateConfig;
import io.certkeeper.util.Preconditions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * When a managed certificate is renewed: at {@code renew-at} of its lifetime (default {@link
 * CertificateConfig#DEFAULT_RENEW_AT}, two thirds) or {@code renew-before} its notAfter, plus a
 * jitter that is fixed for each certificate name (so many certificates issued together do not all
 * renew in the same minute, and a restart does not move the time), never later than {@link
 * #SAFETY_MARGIN} before notAfter. Times are whole seconds.
 *
 * <p>A renewal that has not happened {@link #overdueAt a grace} after its time is overdue: status
 * and alerts then say {@code renewal_overdue}, and until then a managed certificate is not called
 * {@code expiring}.
 *
 * @param renewAt fraction of the lifetime after which to renew; exclusive with {@code renewBefore}
 * @param renewBefore time before notAfter at which to renew
 */
public record RenewalPolicy(Optional<Double> renewAt, Optional<Duration> renewBefore) {
  /** Renew when two thirds of the lifetime have passed: {@link CertificateConfig#DEFAULT_RENEW_AT}. */
  public static final double DEFAULT_RENEW_AT = CertificateConfig.DEFAULT_RENEW_AT;
  /** Jitter is at most this fraction of the lifetime ... */
  static final double JITTER_FRACTION = 0.01;
  /** ... and at most this long. */
  static final Duration MAX_JITTER = Duration.ofHours(6);
  /** Jitter never pushes the renewal closer than this to notAfter. */
  static final Duration SAFETY_MARGIN = Duration.ofHours(1);
  /**
   * A renewal not done this long after its time is overdue (the checks, retries and backoff of a
   * healthy daemon fit well within it) ...
   */
  static final Duration OVERDUE_GRACE = Duration.ofDays(1);
  /** ... or within this share of the time from the renewal time to notAfter, when that is shorter. */
  static final double OVERDUE_GRACE_FRACTION = 0.5;

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
    return notBefore.plusMillis((long) (lifetime.toMillis() * f)).truncatedTo(ChronoUnit.SECONDS);
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
    return Duration.ofSeconds((long) (unitHash(name) * maxMillis) / 1000);
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

  /**
   * When the renewal of {@code name} is overdue: its {@link #renewalTime} plus {@link
   * #OVERDUE_GRACE}, or plus {@link #OVERDUE_GRACE_FRACTION} of the time from then to notAfter
   * when that is shorter; so always before notAfter.
   */
  public Instant overdueAt(String name, Instant notBefore, Instant notAfter) {
    Instant renew = renewalTime(name, notBefore, notAfter);
    Duration rest = Duration.between(renew, notAfter);
    Duration share = Duration.ofSeconds((long) (Math.max(0, rest.toSeconds()) * OVERDUE_GRACE_FRACTION));
    return renew.plus(share.compareTo(OVERDUE_GRACE) < 0 ? share : OVERDUE_GRACE);
  }

  /** How the policy reads in the configuration. */
  public String describe() {
    if (renewBefore.isPresent()) {
      return "renew-before " + io.certkeeper.util.Durations.format(renewBefore.get());
    }
    if (renewAt.isEmpty()) {
      return "renew-at " + CertificateConfig.DEFAULT_RENEW_AT_TEXT + " of the lifetime (default)";
    }
    return "renew-at " + percent(renewAt.get()) + " of the lifetime";
  }

  /** {@code 66%}, {@code 66.67%}: as exact as the configured value, at most two decimals. */
  static String percent(double fraction) {
    java.math.BigDecimal p = java.math.BigDecimal.valueOf(fraction * 100)
        .setScale(2, java.math.RoundingMode.HALF_UP).stripTrailingZeros();
    return p.toPlainString() + "%";
  }

  /** A number in [0, 1) fixed for {@code name}. */
  static double unitHash(String name) {
    return io.certkeeper.util.Jitter.fraction(name);
  }
}
