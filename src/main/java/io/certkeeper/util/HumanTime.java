package io.certkeeper.util;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Durations and instants as people read them in one-line messages: {@code 2h 14m}, {@code 3d 4h},
 * {@code 45s}, and instants in RFC 3339 UTC at whole seconds. Machine-readable forms (configuration,
 * {@code --json}) keep {@link Durations} and full instants.
 */
public final class HumanTime {
  private HumanTime() {}

  /**
   * The two largest non-zero units of {@code d}, days down to seconds, separated by a space:
   * {@code 2h 14m}, {@code 1d 3h}, {@code 5m 3s}, {@code 45s}. Less than a second reads {@code 0s};
   * a negative duration gets a leading {@code -}.
   */
  public static String duration(Duration d) {
    String sign = d.isNegative() ? "-" : "";
    Duration a = d.abs();
    long[] values = {a.toDays(), a.toHoursPart(), a.toMinutesPart(), a.toSecondsPart()};
    String[] units = {"d", "h", "m", "s"};
    StringBuilder sb = new StringBuilder();
    int shown = 0;
    for (int i = 0; i < values.length && shown < 2; i++) {
      if (values[i] > 0) {
        sb.append(sb.length() == 0 ? "" : " ").append(values[i]).append(units[i]);
        shown++;
      } else if (shown > 0) {
        break; // "2h 0m 5s" reads as "2h"
      }
    }
    return sb.length() == 0 ? "0s" : sign + sb;
  }

  /** {@code t} at whole seconds, RFC 3339 UTC: {@code 2027-01-22T13:02:11Z}. */
  public static String instant(Instant t) {
    return t == null ? "-" : t.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
