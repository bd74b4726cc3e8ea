package io.certkeeper.util;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Human durations as used in configuration and on the command line: a whole number followed by a
 * unit, {@code ms}, {@code s}, {@code m}, {@code h}, {@code d}, {@code w} or {@code y} (365 days),
 * and compounds such as {@code 1h30m}.
 */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d{1,9})(ms|s|m|h|d|w|y)");

  private Durations() {}

  /**
   * Parses {@code text} such as {@code 30d}, {@code 12h}, {@code 90s} or {@code 1h30m}.
   *
   * @throws IllegalArgumentException naming the text and the accepted form
   */
  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty duration (expected e.g. 30d, 12h, 90s)");
    }
    String s = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = PART.matcher(s);
    Duration total = Duration.ZERO;
    int at = 0;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException(
            "bad duration '" + text + "' (expected a number and a unit: ms, s, m, h, d, w, y; e.g. 30d, 12h, 90s)");
      }
      long n = Long.parseLong(m.group(1));
      total = total.plus(unit(m.group(2), n));
      at = m.end();
    }
    return total;
  }

  private static Duration unit(String unit, long n) {
    switch (unit) {
      case "ms": return Duration.ofMillis(n);
      case "s": return Duration.ofSeconds(n);
      case "m": return Duration.ofMinutes(n);
      case "h": return Duration.ofHours(n);
      case "d": return Duration.ofDays(n);
      case "w": return Duration.ofDays(7 * n);
      case "y": return Duration.ofDays(365 * n);
      default: throw new AssertionError(unit);
    }
  }

  /** Formats {@code d} in the same notation {@link #parse} reads, largest units first. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder sb = new StringBuilder();
    if (d.isNegative()) {
      sb.append('-');
      d = d.negated();
    }
    long days = d.toDays();
    long hours = d.toHoursPart();
    long minutes = d.toMinutesPart();
    long seconds = d.toSecondsPart();
    long millis = d.toMillisPart();
    if (days > 0) sb.append(days).append('d');
    if (hours > 0) sb.append(hours).append('h');
    if (minutes > 0) sb.append(minutes).append('m');
    if (seconds > 0) sb.append(seconds).append('s');
    if (millis > 0) sb.append(millis).append("ms");
    return sb.toString();
  }
}
