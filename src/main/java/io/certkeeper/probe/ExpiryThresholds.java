package io.certkeeper.probe;

import static io.certkeeper.util.Preconditions.requireArgument;

import java.time.Duration;
import java.util.Objects;

/**
 * When a certificate's remaining life becomes a problem: under {@code warning} it is
 * {@code expiring} (exit WARNING); under {@code critical} that becomes CRITICAL.
 */
public record ExpiryThresholds(Duration warning, Duration critical) {
  /** {@code --warning} default: 30 days, time to renew by hand. */
  public static final Duration DEFAULT_WARNING = Duration.ofDays(30);
  /** {@code --critical} default: 7 days, the last working week. */
  public static final Duration DEFAULT_CRITICAL = Duration.ofDays(7);

  public ExpiryThresholds {
    Objects.requireNonNull(warning, "warning");
    Objects.requireNonNull(critical, "critical");
    requireArgument(!warning.isNegative(), "warning must not be negative: %s", warning);
    requireArgument(!critical.isNegative(), "critical must not be negative: %s", critical);
    requireArgument(critical.compareTo(warning) <= 0,
        "critical (%s) must not be longer than warning (%s)", critical, warning);
  }

  public static ExpiryThresholds defaults() {
    return new ExpiryThresholds(DEFAULT_WARNING, DEFAULT_CRITICAL);
  }
}
