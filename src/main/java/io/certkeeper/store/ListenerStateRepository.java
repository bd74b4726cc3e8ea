package io.certkeeper.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The {@code listener_state} table: one row per listener name. */
public final class ListenerStateRepository {
  private final Store store;

  public ListenerStateRepository(Store store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** Records that {@code name} now serves this certificate (loaded at start or swapped in). */
  public void loaded(String name, String bind, String role, String sha256, String serial, Instant notAfter,
      Instant now) throws StoreException {
    store.transaction(c -> {
      boolean exists = exists(c, name);
      String sql = exists
          ? "UPDATE listener_state SET bind = ?, role = ?, sha256 = ?, serial = ?, not_after = ?, loaded_at = ?,"
              + " verified_sha256 = NULL, verified_at = NULL, last_error = NULL, last_error_at = NULL WHERE name = ?"
          : "INSERT INTO listener_state (bind, role, sha256, serial, not_after, loaded_at, name) VALUES (?, ?, ?, ?, ?, ?, ?)";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, bind);
        ps.setString(2, role);
        ps.setString(3, sha256);
        ps.setString(4, serial);
        Jdbc.setInstant(ps, 5, notAfter);
        Jdbc.setInstant(ps, 6, now);
        ps.setString(7, name);
        ps.executeUpdate();
      }
      return null;
    });
  }

  /** Records what a real connection saw. */
  public void verified(String name, String servedSha256, Instant now) throws StoreException {
    update(name, "UPDATE listener_state SET verified_sha256 = ?, verified_at = ? WHERE name = ?", servedSha256, now);
  }

  /** Records a refused reload; the previous certificate keeps serving. */
  public void failed(String name, String error, Instant now) throws StoreException {
    update(name, "UPDATE listener_state SET last_error = ?, last_error_at = ? WHERE name = ?",
        error.length() > 4000 ? error.substring(0, 4000) : error, now);
  }

  private void update(String name, String sql, String value, Instant now) throws StoreException {
    store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, value);
        Jdbc.setInstant(ps, 2, now);
        ps.setString(3, name);
        return ps.executeUpdate();
      }
    });
  }

  public List<ListenerState> list() throws StoreException {
    return store.transaction(c -> {
      List<ListenerState> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT * FROM listener_state ORDER BY name");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new ListenerState(rs.getString("name"), rs.getString("bind"), rs.getString("role"),
              rs.getString("sha256"), rs.getString("serial"), Jdbc.getInstant(rs, "not_after"),
              Jdbc.getInstant(rs, "loaded_at"), Optional.ofNullable(rs.getString("verified_sha256")),
              Optional.ofNullable(Jdbc.getInstant(rs, "verified_at")), Optional.ofNullable(rs.getString("last_error")),
              Optional.ofNullable(Jdbc.getInstant(rs, "last_error_at"))));
        }
      }
      return out;
    });
  }

  private static boolean exists(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM listener_state WHERE name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }
}
