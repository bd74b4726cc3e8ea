package io.certkeeper.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code event_counts} table: counters that every process adds to in the transaction that
 * records the event, so that {@code /metrics} counts renewals by the daemon, the CLI and the API
 * alike, across restarts and nodes. The repositories that record the events add to it
 * ({@link #add}); {@link #read} is for the metrics.
 */
public final class EventCounts {
  /** Renewals of managed certificates, by {@code result} ({@code success}, {@code failure}). */
  public static final String RENEWALS = "renewals";
  /** Alert deliveries, by event {@code kind} and {@code result} ({@code sent}, {@code retry}, {@code failed}). */
  public static final String ALERTS = "alerts";

  private final Store store;

  public EventCounts(Store store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** The counts of {@code family}, by label values. */
  public Map<List<String>, Long> read(String family) throws StoreException {
    return store.transaction(c -> {
      Map<List<String>, Long> out = new LinkedHashMap<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT labels, n FROM event_counts WHERE family = ? ORDER BY labels")) {
        ps.setString(1, family);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.put(Arrays.asList(rs.getString(1).split("\\|", -1)), rs.getLong(2));
          }
        }
      }
      return out;
    });
  }

  /**
   * Adds {@code delta} to the counter {@code family}/{@code labels} in the caller's transaction. The
   * first event inserts the row; when another writer inserts it at the same moment, the primary key
   * decides and this one adds to theirs.
   */
  static void add(Connection c, String family, long delta, String... labels) throws SQLException {
    if (delta != 0) {
      Counts.add(c, "event_counts", "family", family, "labels", String.join("|", labels), delta);
    }
  }

  /** Adds one per delivery in {@code ids} that a statement changed, by its event's kind. */
  static void deliveries(Connection c, List<Long> changed, String result) throws SQLException {
    if (changed.isEmpty()) {
      return;
    }
    Map<String, Long> byKind = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT e.kind FROM alert_deliveries d JOIN alert_events e ON e.id = d.event_id WHERE d.id = ?")) {
      for (long id : changed) {
        ps.setLong(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            byKind.merge(rs.getString(1), 1L, Long::sum);
          }
        }
      }
    }
    for (Map.Entry<String, Long> e : byKind.entrySet()) {
      add(c, ALERTS, e.getValue(), e.getKey(), result);
    }
  }
}
