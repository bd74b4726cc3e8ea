package io.certkeeper.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@code managed_certificates} and {@code managed_generations} tables: for each certificate
 * certkeeper renews itself, the generation in force and how its renewals go, and every generation
 * ever put in force. Each node holds its own managed certificates (two nodes may hold one of the
 * same name, with their own keys and generations): a repository reads and writes one node's rows,
 * and {@link #everyNode} reads all of them. The files under {@code managed/NAME/} on the node are the
 * truth about what is deployed there; the renewal code keeps these rows in line with them.
 */
public final class ManagedCertificateRepository {
  /** Error texts are cut to this many characters (the columns' width). */
  static final int MAX_ERROR = 4000;

  private final Scope scope;
  /** The node whose rows this repository reads and writes. */
  private final String node;

  /** The managed certificates {@code node} holds. */
  public ManagedCertificateRepository(Store store, String node) {
    this(Scope.perCall(store), node);
  }

  ManagedCertificateRepository(Scope scope, String node) {
    this.scope = Objects.requireNonNull(scope, "scope");
    this.node = Objects.requireNonNull(node, "node");
  }

  /** The node whose rows this repository reads and writes. */
  public String node() {
    return node;
  }

  /**
   * Gives this node the rows of no node (from an upgrade of a store no daemon had run on) that it
   * has no row of its own for. Returns how many managed certificates it adopted.
   */
  public int adoptUnowned() throws StoreException {
    return scope.run(c -> {
      int n = 0;
      for (String table : new String[] {"managed_generations", "managed_certificates"}) {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET node = ? WHERE node = ''"
            + " AND name NOT IN (SELECT name FROM managed_certificates WHERE node = ?)")) {
          ps.setString(1, node);
          ps.setString(2, node);
          n = ps.executeUpdate();
        }
      }
      return n;
    });
  }

  public Optional<ManagedState> find(String name) throws StoreException {
    return scope.run(c -> find(c, node, name));
  }

  /** The managed certificates of this node with a generation in force, by name. */
  public List<ManagedState> list() throws StoreException {
    return scope.run(c -> list(c, "SELECT * FROM managed_certificates WHERE node = ? ORDER BY name", node));
  }

  /** The managed certificates of every node with a generation in force, by node, then name. */
  public static List<ManagedState> everyNode(Store store) throws StoreException {
    return store.transaction(c -> list(c, "SELECT * FROM managed_certificates ORDER BY node, name", null));
  }

  /** As {@link #everyNode(Store)}, in this repository's transaction. */
  public List<ManagedState> listEveryNode() throws StoreException {
    return scope.run(c -> list(c, "SELECT * FROM managed_certificates ORDER BY node, name", null));
  }

  private static List<ManagedState> list(Connection c, String sql, String node) throws SQLException {
    List<ManagedState> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (node != null) {
        ps.setString(1, node);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(read(rs));
        }
      }
    }
    return out;
  }

  private static Optional<ManagedState> find(Connection c, String node, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT * FROM managed_certificates WHERE node = ? AND name = ?")) {
      ps.setString(1, node);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  /**
   * Records {@code g} as the generation in force of {@code name}: a new row, or the row moved on
   * (failures, hook error and what was served cleared), plus a history row. Its hooks are pending
   * until {@link #hooksDone}.
   *
   * @param reason {@code first}, {@code renewal}, {@code forced} or {@code reconciled}
   */
  public void swapped(String name, GenerationInForce g, String reason, Instant now) throws StoreException {
    scope.run(c -> {
      Optional<ManagedState> prev = find(c, node, name);
      // above every generation of this node's history too: after an upgrade from before nodes owned
      // their rows, a node may hold generations of a name whose row another node took
      long generation = Math.max(prev.map(ManagedState::generation).orElse(0L), lastGeneration(c, node, name)) + 1;
      String sql = prev.isPresent()
          ? "UPDATE managed_certificates SET serial = ?, sha256 = ?, key_sha256 = ?, not_before = ?, not_after = ?,"
              + " generation = ?, last_renewed_at = ?, consecutive_failures = 0, last_error = NULL,"
              + " last_error_at = NULL, next_attempt_at = NULL, last_hook_error = NULL, served_sha256 = NULL,"
              + " served_checked_at = NULL, hooks_pending = TRUE WHERE name = ? AND node = ?"
          : "INSERT INTO managed_certificates (serial, sha256, key_sha256, not_before, not_after, generation,"
              + " last_renewed_at, name, node, hooks_pending) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, TRUE)";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, g.serial());
        ps.setString(2, g.sha256());
        ps.setString(3, g.keySha256());
        Jdbc.setInstant(ps, 4, g.notBefore());
        Jdbc.setInstant(ps, 5, g.notAfter());
        ps.setLong(6, generation);
        Jdbc.setInstant(ps, 7, now);
        ps.setString(8, name);
        ps.setString(9, node);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO managed_generations (name, generation, serial,"
          + " sha256, not_after, reason, swapped_at, node) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, name);
        ps.setLong(2, generation);
        ps.setString(3, g.serial());
        ps.setString(4, g.sha256());
        Jdbc.setInstant(ps, 5, g.notAfter());
        ps.setString(6, reason);
        Jdbc.setInstant(ps, 7, now);
        ps.setString(8, node);
        ps.executeUpdate();
      }
      if (!reason.equals("reconciled")) {
        EventCounts.add(c, EventCounts.RENEWALS, 1, "success");
      }
      return null;
    });
  }

  private static long lastGeneration(Connection c, String node, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT MAX(generation) FROM managed_generations WHERE node = ? AND name = ?")) {
      ps.setString(1, node);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  /**
   * Records a failed renewal attempt: one more consecutive failure, its error, and when to try
   * again. Returns the number of consecutive failures now (0 when {@code name} has no row).
   */
  public int failed(String name, String error, Optional<Instant> nextAttempt, Instant now) throws StoreException {
    return scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE managed_certificates SET consecutive_failures ="
          + " consecutive_failures + 1, last_error = ?, last_error_at = ?, next_attempt_at = ? WHERE name = ? AND node = ?")) {
        ps.setString(1, truncate(error));
        Jdbc.setInstant(ps, 2, now);
        Jdbc.setInstant(ps, 3, nextAttempt.orElse(null));
        ps.setString(4, name);
        ps.setString(5, node);
        ps.executeUpdate();
      }
      EventCounts.add(c, EventCounts.RENEWALS, 1, "failure");
      return find(c, node, name).map(ManagedState::consecutiveFailures).orElse(0);
    });
  }

  /** The failures of {@code name} are over (its outputs were repaired): no error, no backoff. */
  public void failuresCleared(String name) throws StoreException {
    update(name, "UPDATE managed_certificates SET consecutive_failures = 0, last_error = NULL, last_error_at = NULL,"
        + " next_attempt_at = NULL WHERE name = ? AND node = ?");
  }

  /** The hooks of generation {@code serial} of {@code name} ran (whatever their outcome). */
  public void hooksDone(String name, String serial) throws StoreException {
    update(name, "UPDATE managed_certificates SET hooks_pending = FALSE WHERE serial = ? AND name = ? AND node = ?",
        serial);
  }

  /** Names whose generation in force has hooks that have not run to the end, with that generation's serial. */
  public Map<String, String> hooksPending() throws StoreException {
    return scope.run(c -> {
      Map<String, String> out = new TreeMap<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT name, serial FROM managed_certificates WHERE hooks_pending AND node = ? ORDER BY name")) {
        ps.setString(1, node);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.put(rs.getString(1), rs.getString(2));
          }
        }
      }
      return out;
    });
  }

  /** The last hook failure of the generation in force of {@code name}. */
  public void hookFailed(String name, String error) throws StoreException {
    update(name, "UPDATE managed_certificates SET last_hook_error = ? WHERE name = ? AND node = ?", truncate(error));
  }

  /** What a listener of {@code name} served when the closed loop looked. */
  public void served(String name, String sha256, Instant now) throws StoreException {
    scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE managed_certificates SET served_sha256 = ?,"
          + " served_checked_at = ? WHERE name = ? AND node = ?")) {
        ps.setString(1, sha256);
        Jdbc.setInstant(ps, 2, now);
        ps.setString(3, name);
        ps.setString(4, node);
        return ps.executeUpdate();
      }
    });
  }

  /**
   * The generations, of any managed certificate on any node, whose certificate has this
   * fingerprint, newest first, with their validity (from the inventory; a generation whose
   * certificate the inventory does not hold is left out). A probe of one node may see what another
   * node's listener serves.
   */
  public List<GenerationRecord> generationsWith(String sha256) throws StoreException {
    return scope.run(c -> {
      List<GenerationRecord> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT g.node, g.name, g.generation, g.serial, g.sha256,"
          + " ct.not_before, g.not_after FROM managed_generations g JOIN certificates ct ON ct.sha256 = g.sha256"
          + " WHERE g.sha256 = ? ORDER BY g.swapped_at DESC, g.generation DESC")) {
        ps.setString(1, sha256);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new GenerationRecord(rs.getString("node"), rs.getString("name"), rs.getLong("generation"),
                rs.getString("serial"), rs.getString("sha256"), Jdbc.getInstant(rs, "not_before"),
                Jdbc.getInstant(rs, "not_after")));
          }
        }
      }
      return out;
    });
  }

  /** The managed certificate {@code name} of the generation's node. */
  public Optional<ManagedState> inForce(GenerationRecord g) throws StoreException {
    return scope.run(c -> find(c, g.node(), g.name()));
  }

  private void update(String name, String sql, String... values) throws StoreException {
    scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        int i = 1;
        for (String v : values) {
          ps.setString(i++, v);
        }
        ps.setString(i++, name);
        ps.setString(i, node);
        return ps.executeUpdate();
      }
    });
  }

  private static String truncate(String s) {
    return s.length() > MAX_ERROR ? s.substring(0, MAX_ERROR) : s;
  }

  private static ManagedState read(ResultSet rs) throws SQLException {
    return new ManagedState(rs.getString("node"), rs.getString("name"), rs.getString("serial"),
        rs.getString("sha256"), rs.getString("key_sha256"), Jdbc.getInstant(rs, "not_before"),
        Jdbc.getInstant(rs, "not_after"), rs.getLong("generation"), Jdbc.getInstant(rs, "last_renewed_at"),
        rs.getInt("consecutive_failures"), Optional.ofNullable(rs.getString("last_error")),
        Optional.ofNullable(Jdbc.getInstant(rs, "last_error_at")),
        Optional.ofNullable(Jdbc.getInstant(rs, "next_attempt_at")),
        Optional.ofNullable(rs.getString("last_hook_error")), Optional.ofNullable(rs.getString("served_sha256")));
  }
}
