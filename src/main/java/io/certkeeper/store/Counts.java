package io.certkeeper.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;

/**
 * Adds to a count kept in a row (column {@code n}) keyed by two columns, in the caller's
 * transaction: {@code certificate_counts} and {@code event_counts}. The first addition inserts the
 * row; when another writer inserts it at the same moment, the primary key decides and this one adds
 * to theirs (a savepoint keeps PostgreSQL's transaction usable).
 */
final class Counts {
  private Counts() {}

  /** Adds {@code delta} to the row of {@code table} where {@code first = a AND second = b}. Names are the code's own. */
  static void add(Connection c, String table, String first, Object a, String second, Object b, long delta)
      throws SQLException {
    if (update(c, table, first, a, second, b, delta)) {
      return;
    }
    Savepoint sp = c.setSavepoint();
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO " + table + " (" + first + ", " + second + ", n) VALUES (?, ?, ?)")) {
      ps.setObject(1, a);
      ps.setObject(2, b);
      ps.setLong(3, delta);
      ps.executeUpdate();
      c.releaseSavepoint(sp);
    } catch (SQLException e) {
      if (!Store.isUniqueViolation(e)) {
        throw e;
      }
      c.rollback(sp);
      if (!update(c, table, first, a, second, b, delta)) {
        throw new SQLException(table + " row " + a + "/" + b + " vanished", e);
      }
    }
  }

  private static boolean update(Connection c, String table, String first, Object a, String second, Object b,
      long delta) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE " + table + " SET n = n + ? WHERE " + first + " = ? AND " + second + " = ?")) {
      ps.setLong(1, delta);
      ps.setObject(2, a);
      ps.setObject(3, b);
      return ps.executeUpdate() == 1;
    }
  }
}
