package io.certkeeper.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The next fire time of each trigger in a group, read straight from Quartz's {@code QRTZ_TRIGGERS}
 * table, for commands that show the schedule without starting a scheduler (starting Quartz costs a
 * command about 130 ms). Read only: Quartz's job store owns its tables and writes them.
 */
public final class TriggerTimes {
  private final Store store;

  public TriggerTimes(Store store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /**
   * By trigger name, the next fire time of every trigger of {@code group} in scheduler
   * {@code schedulerName} that will fire again.
   */
  public Map<String, Instant> next(String schedulerName, String group) throws StoreException {
    return store.transaction(c -> {
      Map<String, Instant> out = new HashMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT TRIGGER_NAME, NEXT_FIRE_TIME FROM QRTZ_TRIGGERS"
          + " WHERE SCHED_NAME = ? AND TRIGGER_GROUP = ? AND NEXT_FIRE_TIME > 0")) {
        ps.setString(1, schedulerName);
        ps.setString(2, group);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.put(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)));
          }
        }
      }
      return out;
    });
  }
}
