package io.certkeeper.alert;

import io.certkeeper.config.DigestMode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * When a delivery is due: at once for {@code none}; for a digest at the end of its window, hourly
 * windows at the top of each hour and daily ones at midnight UTC, so everything new in a window
 * goes out in one mail.
 */
final class DigestWindow {
  /** The stored digest column of a delivery that goes out at once. */
  static final String NONE = DigestMode.NONE.code();

  private DigestWindow() {}

  static Instant due(DigestMode mode, Instant created) {
    return switch (mode) {
      case NONE -> created;
      case HOURLY -> created.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
      case DAILY -> created.truncatedTo(ChronoUnit.DAYS).plus(1, ChronoUnit.DAYS);
    };
  }
}
