package io.certkeeper.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code endpoints} table, and {@code endpoint_declarations} (which nodes' configurations
 * declare each): what the daemons watch. Removing an endpoint keeps its history.
 */
public final class EndpointRepository {
  private final Store store;

  public EndpointRepository(Store store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** What a {@link #syncConfig} changed. */
  public record SyncResult(List<String> added, List<String> updated, List<String> removed) {
    public boolean changed() {
      return !added.isEmpty() || !updated.isEmpty() || !removed.isEmpty();
    }
  }

  /**
   * Makes node {@code node}'s configured endpoints equal {@code declared}: new ones added, changed
   * ones updated, and the ones it no longer declares removed unless another node still declares
   * them (their results and changes stay). An endpoint added with the CLI that the configuration now
   * declares becomes config-owned. Nodes that declare one endpoint should declare it alike: the
   * last to sync (at its start or reload) sets its settings.
   */
  public SyncResult syncConfig(String node, List<EndpointRow> declared, Instant now) throws StoreException {
    return store.transaction(c -> {
      // Nodes of a fleet that start or reload at once sync one after the other: each reads the
      // endpoints and declarations the others committed, so none removes an endpoint another is
      // declaring or inserts one another just inserted.
      try (PreparedStatement lock = c.prepareStatement(
          "SELECT name FROM fleet_locks WHERE name = 'endpoint-sync' FOR UPDATE");
          ResultSet rs = lock.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("the store's fleet_locks row 'endpoint-sync' is missing; run 'certkeeper migrate'");
        }
      }
      Map<String, EndpointRow> existing = new HashMap<>();
      for (EndpointRow r : list(c)) {
        existing.put(r.id(), r);
      }
      Map<String, java.util.Set<String>> declarations = declarations(c);
      List<String> added = new ArrayList<>();
      List<String> updated = new ArrayList<>();
      Map<String, EndpointRow> wanted = new LinkedHashMap<>();
      for (EndpointRow r : declared) {
        wanted.put(r.id(), r);
      }
      List<String> newDeclarations = new ArrayList<>();
      for (EndpointRow r : wanted.values()) {
        EndpointRow old = existing.get(r.id());
        if (old == null) {
          insert(c, r, now);
          added.add(r.id());
        } else if (!old.specJson().equals(r.specJson()) || !old.origin().equals(EndpointRow.CONFIG)
            || !old.group().equals(r.group())) {
          update(c, r, now);
          updated.add(r.id());
        }
        if (!declarations.getOrDefault(r.id(), java.util.Set.of()).contains(node)) {
          newDeclarations.add(r.id());
        }
      }
      batch(c, "INSERT INTO endpoint_declarations (endpoint_id, node) VALUES (?, ?)", newDeclarations, node);
      List<String> undeclared = new ArrayList<>();
      List<String> removed = new ArrayList<>();
      for (EndpointRow old : existing.values()) {
        if (wanted.containsKey(old.id())) {
          continue;
        }
        java.util.Set<String> by = declarations.getOrDefault(old.id(), java.util.Set.of());
        if (by.contains(node)) {
          undeclared.add(old.id());
        }
        boolean othersDeclare = by.stream().anyMatch(n -> !n.equals(node));
        if (old.origin().equals(EndpointRow.CONFIG) && !othersDeclare) {
          delete(c, old.id());
          removed.add(old.id());
        }
      }
      batch(c, "DELETE FROM endpoint_declarations WHERE endpoint_id = ? AND node = ?", undeclared, node);
      return new SyncResult(added, updated, removed);
    });
  }

  /** How many configured endpoints each node declares, by node. */
  public Map<String, Long> declarationsPerNode() throws StoreException {
    return store.transaction(c -> {
      Map<String, Long> out = new java.util.TreeMap<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT node, COUNT(*) FROM endpoint_declarations GROUP BY node");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getLong(2));
        }
      }
      return out;
    });
  }

  private static Map<String, java.util.Set<String>> declarations(Connection c) throws SQLException {
    Map<String, java.util.Set<String>> out = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT endpoint_id, node FROM endpoint_declarations");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.computeIfAbsent(rs.getString(1), k -> new java.util.HashSet<>()).add(rs.getString(2));
      }
    }
    return out;
  }

  private static void batch(Connection c, String sql, List<String> ids, String node) throws SQLException {
    if (ids.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (String id : ids) {
        ps.setString(1, id);
        ps.setString(2, node);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** Adds a run-time endpoint; refuses when the id exists. */
  public void add(EndpointRow row, Instant now) throws StoreException {
    store.transaction(c -> {
      if (find(c, row.id()).isPresent()) {
        throw new SQLException("endpoint " + row.id() + " exists already", "23505");
      }
      insert(c, row, now);
      return null;
    });
  }

  /** Removes an endpoint; its probe results and change events are kept. */
  public boolean remove(String id) throws StoreException {
    return store.transaction(c -> delete(c, id));
  }

  public Optional<EndpointRow> find(String id) throws StoreException {
    return store.transaction(c -> find(c, id));
  }

  /**
   * When each endpoint was last changed, by id: a cheap look for readers that keep decoded specs
   * and only re-read those that changed.
   */
  public java.util.Map<String, Instant> versions() throws StoreException {
    return store.transaction(c -> {
      java.util.Map<String, Instant> out = new java.util.LinkedHashMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id, updated_at FROM endpoints ORDER BY id");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), Jdbc.getInstant(rs, "updated_at"));
        }
      }
      return out;
    });
  }

  /** Every endpoint, by id. */
  public List<EndpointRow> list() throws StoreException {
    return store.transaction(EndpointRepository::list);
  }

  private static Optional<EndpointRow> find(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT * FROM endpoints WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  private static List<EndpointRow> list(Connection c) throws SQLException {
    List<EndpointRow> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT * FROM endpoints ORDER BY id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(read(rs));
      }
    }
    return out;
  }

  private static void insert(Connection c, EndpointRow r, Instant now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO endpoints (id, target, origin, group_name, spec, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, r.id());
      ps.setString(2, r.target());
      ps.setString(3, r.origin());
      ps.setString(4, r.group().orElse(null));
      ps.setString(5, r.specJson());
      Jdbc.setInstant(ps, 6, now);
      Jdbc.setInstant(ps, 7, now);
      ps.executeUpdate();
    }
  }

  private static void update(Connection c, EndpointRow r, Instant now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE endpoints SET target = ?, origin = ?, group_name = ?, spec = ?, updated_at = ? WHERE id = ?")) {
      ps.setString(1, r.target());
      ps.setString(2, r.origin());
      ps.setString(3, r.group().orElse(null));
      ps.setString(4, r.specJson());
      Jdbc.setInstant(ps, 5, now);
      ps.setString(6, r.id());
      ps.executeUpdate();
    }
  }

  private static boolean delete(Connection c, String id) throws SQLException {
    try (PreparedStatement d = c.prepareStatement("DELETE FROM endpoint_declarations WHERE endpoint_id = ?")) {
      d.setString(1, id);
      d.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM endpoints WHERE id = ?")) {
      ps.setString(1, id);
      return ps.executeUpdate() == 1;
    }
  }

  private static EndpointRow read(ResultSet rs) throws SQLException {
    return new EndpointRow(rs.getString("id"), rs.getString("target"), rs.getString("origin"),
        Optional.ofNullable(rs.getString("group_name")), rs.getString("spec"),
        Jdbc.getInstant(rs, "created_at"), Jdbc.getInstant(rs, "updated_at"));
  }
}
