package io.certkeeper.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** The {@code daemon_runs} table: which daemon started when, and whether it is alive. */
public final class DaemonRunRepository {
  private final Store store;

  public DaemonRunRepository(Store store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** Records a start of node {@code node} and returns its id. */
  public long started(String node, String host, long pid, String version, Optional<String> configFile, Instant now)
      throws StoreException {
    return store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO daemon_runs (node, host, pid, version, config_file, started_at, heartbeat_at)"
              + " VALUES (?, ?, ?, ?, ?, ?, ?)",
          Statement.RETURN_GENERATED_KEYS)) {
        ps.setString(1, node);
        ps.setString(2, host);
        ps.setLong(3, pid);
        ps.setString(4, version);
        ps.setString(5, configFile.orElse(null));
        Jdbc.setInstant(ps, 6, now);
        Jdbc.setInstant(ps, 7, now);
        ps.executeUpdate();
        try (ResultSet rs = ps.getGeneratedKeys()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    });
  }

  public void heartbeat(long id, Instant now) throws StoreException {
    update("UPDATE daemon_runs SET heartbeat_at = ? WHERE id = ?", id, now);
  }

  public void stopped(long id, Instant now) throws StoreException {
    update("UPDATE daemon_runs SET stopped_at = ?, heartbeat_at = ? WHERE id = ?", id, now, now);
  }

  /** Records a configuration reload; {@code error} empty when it took effect. */
  public void reloaded(long id, Instant now, Optional<String> error) throws StoreException {
    store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE daemon_runs SET last_reload_at = ?, last_reload_error = ? WHERE id = ?")) {
        Jdbc.setInstant(ps, 1, now);
        ps.setString(2, error.map(e -> e.length() > 4000 ? e.substring(0, 4000) : e).orElse(null));
        ps.setLong(3, id);
        return ps.executeUpdate();
      }
    });
  }

  private void update(String sql, long id, Instant... times) throws StoreException {
    store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        int i = 1;
        for (Instant t : times) {
          Jdbc.setInstant(ps, i++, t);
        }
        ps.setLong(i, id);
        return ps.executeUpdate();
      }
    });
  }

  /** The newest start, if the daemon ever ran on this store. */
  public Optional<DaemonRun> latest() throws StoreException {
    return store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT * FROM daemon_runs ORDER BY id DESC")) {
        ps.setMaxRows(1);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(read(rs)) : Optional.<DaemonRun>empty();
        }
      }
    });
  }

  /** The newest start of node {@code node}, if it ever ran on this store. */
  public Optional<DaemonRun> latest(String node) throws StoreException {
    return store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT * FROM daemon_runs WHERE COALESCE(node, host) = ? ORDER BY id DESC")) {
        ps.setString(1, node);
        ps.setMaxRows(1);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(read(rs)) : Optional.<DaemonRun>empty();
        }
      }
    });
  }

  /** The newest start of every node that ever ran on this store, by node name. */
  public java.util.List<DaemonRun> latestPerNode() throws StoreException {
    return store.transaction(c -> {
      java.util.List<DaemonRun> out = new java.util.ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT * FROM daemon_runs WHERE id IN"
          + " (SELECT MAX(id) FROM daemon_runs GROUP BY COALESCE(node, host)) ORDER BY COALESCE(node, host)");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(read(rs));
        }
      }
      return out;
    });
  }

  private static DaemonRun read(ResultSet rs) throws java.sql.SQLException {
    String host = rs.getString("host");
    String node = rs.getString("node");
    return new DaemonRun(
        rs.getLong("id"),
        node != null ? node : host,
        host,
        rs.getLong("pid"),
        rs.getString("version"),
        Optional.ofNullable(rs.getString("config_file")),
        Jdbc.getInstant(rs, "started_at"),
        Jdbc.getInstant(rs, "heartbeat_at"),
        Optional.ofNullable(Jdbc.getInstant(rs, "stopped_at")),
        Optional.ofNullable(Jdbc.getInstant(rs, "last_reload_at")),
        Optional.ofNullable(rs.getString("last_reload_error")));
  }
}
