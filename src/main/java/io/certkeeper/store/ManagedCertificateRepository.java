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
 * ever put in force. The files under {@code managed/NAME/} are the truth about what is deployed;
 * the renewal code keeps these rows in line with them.
 */
public final class ManagedCertificateRepository {
  /** Error texts are cut to this many characters (the columns' width). */
  static final int MAX_ERROR = 4000;

  private final Scope scope;
  /** The node that swaps generations in through this repository ({@code managed_generations.node}); may be null. */
  private final String node;

  public ManagedCertificateRepository(Store store) {
    this(Scope.perCall(store), null);
  }

  /** As {@link #ManagedCertificateRepository(Store)}, recording {@code node} on the generations it swaps in. */
  public ManagedCertificateRepository(Store store, String node) {
    this(Scope.perCall(store), Objects.requireNonNull(node, "node"));
  }

  ManagedCertificateRepository(Scope scope) {
    this(scope, null);
  }

  private ManagedCertificateRepository(Scope scope, String node) {
    this.scope = Objects.requireNonNull(scope, "scope");
    this.node = node;
  }

  /**
   * The node that put the newest generation of {@code name} in force, when one was recorded (not for
   * generations of versions before nodes had names).
   */
  public Optional<String> lastSwappedBy(String name) throws StoreException {
    return scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT node FROM managed_generations WHERE name = ? ORDER BY generation DESC")) {
        ps.setString(1, name);
        ps.setMaxRows(1);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.<String>empty();
        }
      }
    });
  }

  public Optional<ManagedState> find(String name) throws StoreException {
    return scope.run(c -> find(c, name));
  }

  /** Every managed certificate with a generation in force, by name. */
  public List<ManagedState> list() throws StoreException {
    return scope.run(c -> {
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

  private static Optional<ManagedState> find(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT * FROM managed_certificates WHERE name = ?")) {
      ps.setString(1, name);
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
      Optional<ManagedState> prev = find(c, name);
      long generation = prev.map(p -> p.generation() + 1).orElse(1L);
      String sql = prev.isPresent()
          ? "UPDATE managed_certificates SET serial = ?, sha256 = ?, key_sha256 = ?, not_before = ?, not_after = ?,"
              + " generation = ?, last_renewed_at = ?, consecutive_failures = 0, last_error = NULL,"
              + " last_error_at = NULL, next_attempt_at = NULL, last_hook_error = NULL, served_sha256 = NULL,"
              + " served_checked_at = NULL, hooks_pending = TRUE WHERE name = ?"
          : "INSERT INTO managed_certificates (serial, sha256, key_sha256, not_before, not_after, generation,"
              + " last_renewed_at, name, hooks_pending) VALUES (?, ?, ?, ?, ?, ?, ?, ?, TRUE)";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, g.serial());
        ps.setString(2, g.sha256());
        ps.setString(3, g.keySha256());
        Jdbc.setInstant(ps, 4, g.notBefore());
        Jdbc.setInstant(ps, 5, g.notAfter());
        ps.setLong(6, generation);
        Jdbc.setInstant(ps, 7, now);
        ps.setString(8, name);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO managed_generations (name, generation, serial,"
          + " sha256, not_after, reason, swapped_at, node) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(8, node);
        ps.setString(1, name);
        ps.setLong(2, generation);
        ps.setString(3, g.serial());
        ps.setString(4, g.sha256());
        Jdbc.setInstant(ps, 5, g.notAfter());
        ps.setString(6, reason);
        Jdbc.setInstant(ps, 7, now);
        ps.executeUpdate();
      }
      return null;
    });
  }

  /**
   * Records a failed renewal attempt: one more consecutive failure, its error, and when to try
   * again. Returns the number of consecutive failures now (0 when {@code name} has no row).
   */
  public int failed(String name, String error, Optional<Instant> nextAttempt, Instant now) throws StoreException {
    return scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE managed_certificates SET consecutive_failures ="
          + " consecutive_failures + 1, last_error = ?, last_error_at = ?, next_attempt_at = ? WHERE name = ?")) {
        ps.setString(1, truncate(error));
        Jdbc.setInstant(ps, 2, now);
        Jdbc.setInstant(ps, 3, nextAttempt.orElse(null));
        ps.setString(4, name);
        ps.executeUpdate();
      }
      return find(c, name).map(ManagedState::consecutiveFailures).orElse(0);
    });
  }

  /** The failures of {@code name} are over (its outputs were repaired): no error, no backoff. */
  public void failuresCleared(String name) throws StoreException {
    scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE managed_certificates SET consecutive_failures = 0,"
          + " last_error = NULL, last_error_at = NULL, next_attempt_at = NULL WHERE name = ?")) {
        ps.setString(1, name);
        return ps.executeUpdate();
      }
    });
  }

  /** The hooks of generation {@code serial} of {@code name} ran (whatever their outcome). */
  public void hooksDone(String name, String serial) throws StoreException {
    update(name, "UPDATE managed_certificates SET hooks_pending = FALSE WHERE serial = ? AND name = ?", serial);
  }

  /** Names whose generation in force has hooks that have not run to the end, with that generation's serial. */
  public Map<String, String> hooksPending() throws StoreException {
    return scope.run(c -> {
      Map<String, String> out = new TreeMap<>();
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

  /** The last hook failure of the generation in force of {@code name}. */
  public void hookFailed(String name, String error) throws StoreException {
    update(name, "UPDATE managed_certificates SET last_hook_error = ? WHERE name = ?", truncate(error));
  }

  /** What a listener of {@code name} served when the closed loop looked. */
  public void served(String name, String sha256, Instant now) throws StoreException {
    scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE managed_certificates SET served_sha256 = ?, served_checked_at = ? WHERE name = ?")) {
        ps.setString(1, sha256);
        Jdbc.setInstant(ps, 2, now);
        ps.setString(3, name);
        return ps.executeUpdate();
      }
    });
  }

  /**
   * The generations, of any managed certificate, whose certificate has this fingerprint, newest
   * first, with their validity (from the inventory; a generation whose certificate the inventory
   * does not hold is left out).
   */
  public List<GenerationRecord> generationsWith(String sha256) throws StoreException {
    return scope.run(c -> {
      List<GenerationRecord> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT g.name, g.generation, g.serial, g.sha256, ct.not_before, g.not_after FROM managed_generations g"
              + " JOIN certificates ct ON ct.sha256 = g.sha256 WHERE g.sha256 = ? ORDER BY g.generation DESC")) {
        ps.setString(1, sha256);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new GenerationRecord(rs.getString("name"), rs.getLong("generation"), rs.getString("serial"),
                rs.getString("sha256"), Jdbc.getInstant(rs, "not_before"), Jdbc.getInstant(rs, "not_after")));
          }
        }
      }
      return out;
    });
  }

  private void update(String name, String sql, String value) throws StoreException {
    scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, value);
        ps.setString(2, name);
        return ps.executeUpdate();
      }
    });
  }

  private static String truncate(String s) {
    return s.length() > MAX_ERROR ? s.substring(0, MAX_ERROR) : s;
  }

  private static ManagedState read(ResultSet rs) throws SQLException {
    return new ManagedState(rs.getString("name"), rs.getString("serial"), rs.getString("sha256"),
        rs.getString("key_sha256"), Jdbc.getInstant(rs, "not_before"), Jdbc.getInstant(rs, "not_after"),
        rs.getLong("generation"), Jdbc.getInstant(rs, "last_renewed_at"), rs.getInt("consecutive_failures"),
        Optional.ofNullable(rs.getString("last_error")), Optional.ofNullable(Jdbc.getInstant(rs, "last_error_at")),
        Optional.ofNullable(Jdbc.getInstant(rs, "next_attempt_at")),
        Optional.ofNullable(rs.getString("last_hook_error")), Optional.ofNullable(rs.getString("served_sha256")));
  }
}
