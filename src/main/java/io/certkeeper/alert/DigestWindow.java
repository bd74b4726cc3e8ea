package io.certkeeper.alert;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * When a delivery is due: at once for {@code none}; for a digest at the end of its window, hourly
 * windows at the top of each hour and daily ones at midnight UTC, so everything new in a window
 * goes out in one mail.
 */
final class DigestWindow {
  static final String NONE = "none";
  static final String HOURLY = "1h";
  static final String DAILY = "daily";

  private DigestWindow() {}

  static Instant due(String mode, Instant created) {
    switch (mode) {
      case NONE: return created;
      case HOURLY: return created.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
      case DAILY: return created.truncatedTo(ChronoUnit.DAYS).plus(1, ChronoUnit.DAYS);
      default: throw new IllegalArgumentException("unknown digest mode: " + mode);
    }
  }
}
