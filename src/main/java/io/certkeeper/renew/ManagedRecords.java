package io.certkeeper.renew;

import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code managed_certificates} and {@code managed_generations} tables. */
final class ManagedRecords {
  static final int MAX_ERROR = 4000;

  private final Store store;

  ManagedRecords(Store store) {
    this.store = store;
  }

  Store store() {
    return store;
  }

  Optional<ManagedState> find(String name) throws StoreException {
    return store.inTransaction(c -> find(c, name));
  }

  List<ManagedState> list() throws StoreException {
    return store.inTransaction(c -> {
      List<ManagedState> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT * FROM managed_certificates ORDER BY name");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(read(rs));
        }
      }
      return out;
    });
  }

  static Optional<ManagedState> find(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT * FROM managed_certificates WHERE name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  /**
   * Records {@code g} as the generation in force: a new row, or the row moved on (failures
   * cleared), plus a history row. Its hooks are pending until {@link #hooksDone}.
   */
  static void swapped(Connection c, String name, Generation g, String reason, Instant now) throws SQLException {
    Optional<ManagedState> prev = find(c, name);
    long generation = prev.map(p -> p.generation() + 1).orElse(1L);
    String sql = prev.isPresent()
        ? "UPDATE managed_certificates SET serial = ?, sha256 = ?, key_sha256 = ?, not_before = ?, not_after = ?,"
            + " generation = ?, last_renewed_at = ?, consecutive_failures = 0, last_error = NULL, last_error_at = NULL,"
            + " next_attempt_at = NULL, last_hook_error = NULL, served_sha256 = NULL, served_checked_at = NULL,"
            + " hooks_pending = TRUE WHERE name = ?"
        : "INSERT INTO managed_certificates (serial, sha256, key_sha256, not_before, not_after, generation,"
            + " last_renewed_at, name, hooks_pending) VALUES (?, ?, ?, ?, ?, ?, ?, ?, TRUE)";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, g.serial());
      ps.setString(2, g.sha256());
      ps.setString(3, g.keySha256());
      setInstant(ps, 4, g.notBefore());
      setInstant(ps, 5, g.notAfter());
      ps.setLong(6, generation);
      setInstant(ps, 7, now);
      ps.setString(8, name);
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO managed_generations (name, generation, serial, sha256,"
        + " not_after, reason, swapped_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, name);
      ps.setLong(2, generation);
      ps.setString(3, g.serial());
      ps.setString(4, g.sha256());
      setInstant(ps, 5, g.notAfter());
      ps.setString(6, reason);
      setInstant(ps, 7, now);
      ps.executeUpdate();
    }
  }

  /** Records a failed attempt; returns the number of consecutive failures now. */
  static int failed(Connection c, String name, String error, Optional<Instant> nextAttempt, Instant now)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE managed_certificates SET consecutive_failures ="
        + " consecutive_failures + 1, last_error = ?, last_error_at = ?, next_attempt_at = ? WHERE name = ?")) {
      ps.setString(1, truncate(error));
      setInstant(ps, 2, now);
      setInstant(ps, 3, nextAttempt.orElse(null));
      ps.setString(4, name);
      ps.executeUpdate();
    }
    return find(c, name).map(ManagedState::consecutiveFailures).orElse(0);
  }

  /** The hooks of generation {@code serial} of {@code name} ran (whatever their outcome). */
  void hooksDone(String name, String serial) throws StoreException {
    update(name, "UPDATE managed_certificates SET hooks_pending = FALSE WHERE serial = ? AND name = ?", serial);
  }

  /** Names whose generation in force has hooks that have not run to the end, with that generation's serial. */
  java.util.Map<String, String> hooksPending() throws StoreException {
    return store.inTransaction(c -> {
      java.util.Map<String, String> out = new java.util.TreeMap<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT name, serial FROM managed_certificates WHERE hooks_pending ORDER BY name");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getString(2));
        }
      }
      return out;
    });
  }

  void hookFailed(String name, String error) throws StoreException {
    update(name, "UPDATE managed_certificates SET last_hook_error = ? WHERE name = ?", truncate(error));
  }

  void served(String name, String sha256, Instant now) throws StoreException {
    store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE managed_certificates SET served_sha256 = ?, served_checked_at = ? WHERE name = ?")) {
        ps.setString(1, sha256);
        setInstant(ps, 2, now);
        ps.setString(3, name);
        return ps.executeUpdate();
      }
    });
  }

  private void update(String name, String sql, String value) throws StoreException {
    store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, value);
        ps.setString(2, name);
        return ps.executeUpdate();
      }
    });
  }

  static String truncate(String s) {
    return s.length() > MAX_ERROR ? s.substring(0, MAX_ERROR) : s;
  }

  private static ManagedState read(ResultSet rs) throws SQLException {
    return new ManagedState(rs.getString("name"), rs.getString("serial"), rs.getString("sha256"),
        rs.getString("key_sha256"), getInstant(rs, "not_before"), getInstant(rs, "not_after"),
        rs.getLong("generation"), getInstant(rs, "last_renewed_at"), rs.getInt("consecutive_failures"),
        Optional.ofNullable(rs.getString("last_error")), Optional.ofNullable(getInstant(rs, "last_error_at")),
        Optional.ofNullable(getInstant(rs, "next_attempt_at")), Optional.ofNullable(rs.getString("last_hook_error")),
        Optional.ofNullable(rs.getString("served_sha256")));
  }

  static void setInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      ps.setObject(index, OffsetDateTime.ofInstant(value, ZoneOffset.UTC));
    }
  }

  static Instant getInstant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }
}
