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

  /** Records a start and returns its id. */
  public long started(String host, long pid, String version, Optional<String> configFile, Instant now)
      throws StoreException {
    return store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO daemon_runs (host, pid, version, config_file, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)",
          Statement.RETURN_GENERATED_KEYS)) {
        ps.setString(1, host);
        ps.setLong(2, pid);
        ps.setString(3, version);
        ps.setString(4, configFile.orElse(null));
        Jdbc.setInstant(ps, 5, now);
        Jdbc.setInstant(ps, 6, now);
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
          if (!rs.next()) {
            return Optional.<DaemonRun>empty();
          }
          return Optional.of(new DaemonRun(
              rs.getLong("id"),
              rs.getString("host"),
              rs.getLong("pid"),
              rs.getString("version"),
              Optional.ofNullable(rs.getString("config_file")),
              Jdbc.getInstant(rs, "started_at"),
              Jdbc.getInstant(rs, "heartbeat_at"),
              Optional.ofNullable(Jdbc.getInstant(rs, "stopped_at")),
              Optional.ofNullable(Jdbc.getInstant(rs, "last_reload_at")),
              Optional.ofNullable(rs.getString("last_reload_error"))));
        }
      }
    });
  }
}
