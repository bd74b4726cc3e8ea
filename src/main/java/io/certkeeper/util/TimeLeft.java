package io.certkeeper.util;

import java.time.Duration;
import java.time.Instant;

/**
 * The time to or since an expiry, in words: {@code expires in 29 days}, {@code expires in 5 hours},
 * {@code expires in 1 minute}, {@code expired 2 hours ago}, {@code expired 303 days ago}. Whole
 * units, rounded down; never a negative count. The same words as the alert mails.
 */
public final class TimeLeft {
  private TimeLeft() {}

  /** {@code notAfter} seen from {@code now}. */
  public static String expiry(Instant notAfter, Instant now) {
    Duration left = Duration.between(now, notAfter);
    if (left.isNegative()) {
      return "expired " + amount(left.negated()) + " ago";
    }
    return "expires in " + amount(left);
  }

  private static String amount(Duration d) {
    if (d.toDays() >= 1) {
      return plural(d.toDays(), "day");
    }
    if (d.toHours() >= 1) {
      return plural(d.toHours(), "hour");
    }
    return plural(Math.max(1, d.toMinutes()), "minute");
  }

  private static String plural(long n, String unit) {
    return n + " " + unit + (n == 1 ? "" : "s");
  }
}
