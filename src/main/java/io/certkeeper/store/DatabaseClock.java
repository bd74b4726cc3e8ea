package io.certkeeper.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * This process's clock against the database's. The nodes of a fleet decide with their own clocks
 * when a probe is due, a lease has run out or a node is dead (Quartz's check-ins), so they must
 * agree; the database is the one clock they all see.
 */
public final class DatabaseClock {
  /** How far a node's clock may be from the database's before the daemon refuses to start. */
  public static final Duration MAX_SKEW = Duration.ofSeconds(1);

  private DatabaseClock() {}

  /**
   * How far {@code clock} is ahead of the database's (negative: behind), the round trip's half
   * taken out: the database's time is compared with the middle of the query.
   */
  public static Duration skew(Store store, Clock clock) throws StoreException {
    Objects.requireNonNull(clock, "clock");
    return store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT CURRENT_TIMESTAMP")) {
        Instant before = clock.instant();
        try (ResultSet rs = ps.executeQuery()) {
          Instant after = clock.instant();
          rs.next();
          Instant db = rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
          Instant middle = before.plus(Duration.between(before, after).dividedBy(2));
          return Duration.between(db, middle);
        }
      }
    });
  }

  /** One line for a refused start, or null when {@code skew} is within {@link #MAX_SKEW}. */
  public static String refusal(Duration skew, String store) {
    if (skew.abs().compareTo(MAX_SKEW) <= 0) {
      return null;
    }
    double s = skew.abs().toMillis() / 1000.0;
    return String.format(java.util.Locale.ROOT, "this host's clock is %.1f s %s the database's (%s): the nodes of a"
        + " fleet must agree on the time to within %d s; fix the clock (chrony, systemd-timesyncd) and start"
        + " again", s, skew.isNegative() ? "behind" : "ahead of", store, MAX_SKEW.toSeconds());
  }
}
