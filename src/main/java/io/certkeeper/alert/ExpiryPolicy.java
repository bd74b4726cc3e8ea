package io.certkeeper.alert;

import io.certkeeper.util.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * When an expiring certificate is alerted. Each threshold fires once per certificate, when it is
 * crossed. After downtime (or for a certificate first seen late in its life) several thresholds
 * may be crossed at once: only the most severe one is mailed, and the others are recorded as
 * passed so that they never fire later.
 */
final class ExpiryPolicy {
  /** The detail of the alert for a certificate past its notAfter. */
  static final String EXPIRED = "expired";

  private ExpiryPolicy() {}

  /**
   * What to record now.
   *
   * @param fire the threshold to mail ({@code 7d}, {@code expired}), if any
   * @param suppress thresholds to record as passed without a mail
   */
  record Decision(Optional<String> fire, List<String> suppress) {
    boolean isEmpty() {
      return fire.isEmpty() && suppress.isEmpty();
    }
  }

  /** The label of a threshold as stored and shown: {@code 30d}, {@code 12h}. */
  static String label(Duration threshold) {
    return Durations.format(threshold);
  }

  /** Labels of the thresholds crossed at {@code now}, most severe first ({@code expired}, then the smallest). */
  static List<String> crossed(Instant notAfter, Instant now, List<Duration> thresholds) {
    List<String> out = new ArrayList<>();
    if (now.isAfter(notAfter)) {
      out.add(EXPIRED);
    }
    List<Duration> sorted = new ArrayList<>(thresholds);
    sorted.sort(Comparator.naturalOrder());
    for (Duration t : sorted) {
      if (!now.isBefore(notAfter.minus(t))) {
        out.add(label(t));
      }
    }
    return out;
  }

  /**
   * @param recorded labels already recorded for this certificate (mailed or suppressed)
   */
  static Decision decide(Instant notAfter, Instant now, List<Duration> thresholds, Set<String> recorded) {
    List<String> crossed = crossed(notAfter, now, thresholds);
    List<String> fresh = new ArrayList<>();
    for (String c : crossed) {
      if (!recorded.contains(c)) {
        fresh.add(c);
      }
    }
    if (fresh.isEmpty()) {
      return new Decision(Optional.empty(), List.of());
    }
    String worst = crossed.get(0);
    boolean worseRecorded = recorded.stream().anyMatch(r -> rank(r).compareTo(rank(worst)) <= 0);
    if (fresh.get(0).equals(worst) && !worseRecorded) {
      return new Decision(Optional.of(worst), List.copyOf(fresh.subList(1, fresh.size())));
    }
    // a more severe threshold was alerted already: the newly crossed ones add nothing
    return new Decision(Optional.empty(), List.copyOf(fresh));
  }

  /** Smaller is more severe: {@code expired} before every threshold, then by time left. */
  private static Duration rank(String label) {
    return label.equals(EXPIRED) ? Duration.ofSeconds(-1) : Durations.parse(label);
  }

  /** Expired and thresholds within the endpoint's {@code critical} window are critical; others warn. */
  static Severity severity(String label, Duration critical) {
    if (label.equals(EXPIRED)) {
      return Severity.CRITICAL;
    }
    return Durations.parse(label).compareTo(critical) <= 0 ? Severity.CRITICAL : Severity.WARNING;
  }

  /** {@code expires in 3 days}, {@code expires in 5 hours}, {@code expired 2 days ago}. */
  static String remaining(Instant notAfter, Instant now) {
    Duration left = Duration.between(now, notAfter);
    if (left.isNegative()) {
      Duration ago = left.negated();
      return ago.toDays() >= 1 ? "expired " + plural(ago.toDays(), "day") + " ago"
          : "expired " + plural(Math.max(1, ago.toHours()), "hour") + " ago";
    }
    if (left.toDays() >= 1) {
      return "expires in " + plural(left.toDays(), "day");
    }
    if (left.toHours() >= 1) {
      return "expires in " + plural(left.toHours(), "hour");
    }
    return "expires in " + plural(Math.max(1, left.toMinutes()), "minute");
  }

  private static String plural(long n, String unit) {
    return n + " " + unit + (n == 1 ? "" : "s");
  }
}
