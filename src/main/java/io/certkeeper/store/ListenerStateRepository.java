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

/**
 * The {@code listener_state} table: one row per node and listener name. A repository writes one
 * node's rows; {@link #everyNode} reads all of them.
 */
public final class ListenerStateRepository {
  private final Store store;
  private final String node;

  /** The listeners of {@code node}. */
  public ListenerStateRepository(Store store, String node) {
    this.store = Objects.requireNonNull(store, "store");
    this.node = Objects.requireNonNull(node, "node");
  }

  /** Records that {@code name} now serves this certificate (loaded at start or swapped in). */
  public void loaded(String name, String bind, String role, String sha256, String serial, Instant notAfter,
      Instant now) throws StoreException {
    store.transaction(c -> {
      boolean exists = exists(c, name);
      String sql = exists
          ? "UPDATE listener_state SET bind = ?, role = ?, sha256 = ?, serial = ?, not_after = ?, loaded_at = ?,"
              + " verified_sha256 = NULL, verified_at = NULL, last_error = NULL, last_error_at = NULL"
              + " WHERE name = ? AND node = ?"
          : "INSERT INTO listener_state (bind, role, sha256, serial, not_after, loaded_at, name, node)"
              + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, bind);
        ps.setString(2, role);
        ps.setString(3, sha256);
        ps.setString(4, serial);
        Jdbc.setInstant(ps, 5, notAfter);
        Jdbc.setInstant(ps, 6, now);
        ps.setString(7, name);
        ps.setString(8, node);
        ps.executeUpdate();
      }
      return null;
    });
  }

  /** Records what a real connection saw. */
  public void verified(String name, String servedSha256, Instant now) throws StoreException {
    update(name, "UPDATE listener_state SET verified_sha256 = ?, verified_at = ? WHERE name = ? AND node = ?", servedSha256, now);
  }

  /** Records a refused reload; the previous certificate keeps serving. */
  public void failed(String name, String error, Instant now) throws StoreException {
    update(name, "UPDATE listener_state SET last_error = ?, last_error_at = ? WHERE name = ? AND node = ?",
        error.length() > 4000 ? error.substring(0, 4000) : error, now);
  }

  private void update(String name, String sql, String value, Instant now) throws StoreException {
    store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, value);
        Jdbc.setInstant(ps, 2, now);
        ps.setString(3, name);
        ps.setString(4, node);
        return ps.executeUpdate();
      }
    });
  }

  /** Forgets this node's listeners that {@code names} leaves out (no longer configured). Returns how many. */
  public int retainOnly(java.util.Collection<String> names) throws StoreException {
    java.util.Set<String> kept = java.util.Set.copyOf(names);
    return store.transaction(c -> {
      int n = 0;
      for (ListenerState s : list(c, "SELECT * FROM listener_state WHERE node = ? ORDER BY name", node)) {
        if (!kept.contains(s.name())) {
          try (PreparedStatement ps = c.prepareStatement("DELETE FROM listener_state WHERE name = ? AND node = ?")) {
            ps.setString(1, s.name());
            ps.setString(2, node);
            n += ps.executeUpdate();
          }
        }
      }
      return n;
    });
  }

  /** This node's listeners, by name. */
  public List<ListenerState> list() throws StoreException {
    return store.transaction(c -> list(c, "SELECT * FROM listener_state WHERE node = ? ORDER BY name", node));
  }

  /** The listeners of every node, by node, then name. */
  public static List<ListenerState> everyNode(Store store) throws StoreException {
    return store.transaction(c -> list(c, "SELECT * FROM listener_state ORDER BY node, name", null));
  }

  private static List<ListenerState> list(Connection c, String sql, String node) throws SQLException {
    List<ListenerState> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (node != null) {
        ps.setString(1, node);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new ListenerState(rs.getString("node"), rs.getString("name"), rs.getString("bind"),
              rs.getString("role"), rs.getString("sha256"), rs.getString("serial"), Jdbc.getInstant(rs, "not_after"),
              Jdbc.getInstant(rs, "loaded_at"), Optional.ofNullable(rs.getString("verified_sha256")),
              Optional.ofNullable(Jdbc.getInstant(rs, "verified_at")), Optional.ofNullable(rs.getString("last_error")),
              Optional.ofNullable(Jdbc.getInstant(rs, "last_error_at"))));
        }
      }
    }
    return out;
  }

  private boolean exists(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM listener_state WHERE name = ? AND node = ?")) {
      ps.setString(1, name);
      ps.setString(2, node);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }
}
