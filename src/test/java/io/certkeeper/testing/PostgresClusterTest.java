package io.certkeeper.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** The tests' own PostgreSQL cluster: private to this host, a fresh database per test, no superuser. */
class PostgresClusterTest {
  @Test
  void listensOnLoopbackOnlyAndRefusesAWrongPassword() throws Exception {
    PostgresCluster cluster = PostgresCluster.get();
    List<String> bound = StorePort.listeningOn(cluster.port());
    assertTrue(StorePort.loopbackOnly(bound), "bound to " + bound);
    PostgresCluster.Database db = cluster.newDatabase();
    SQLException e = assertThrows(SQLException.class,
        () -> DriverManager.getConnection(db.url(), db.user(), db.password() + "x").close());
    assertEquals("28P01", e.getSQLState(), e.getMessage());
  }

  @Test
  void eachCallGivesAnEmptyDatabaseOfItsOwnOwnedByAnUnprivilegedRole() throws Exception {
    PostgresCluster cluster = PostgresCluster.get();
    PostgresCluster.Database one = cluster.newDatabase();
    PostgresCluster.Database two = cluster.newDatabase();
    assertNotEquals(one.name(), two.name());
    try (Connection c = DriverManager.getConnection(one.url(), one.user(), one.password());
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (x INTEGER)");
      try (ResultSet rs = st.executeQuery("SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles"
          + " WHERE rolname = current_user")) {
        assertTrue(rs.next());
        assertFalse(rs.getBoolean(1) || rs.getBoolean(2) || rs.getBoolean(3), "an ordinary role");
      }
    }
    try (Connection c = DriverManager.getConnection(two.url(), two.user(), two.password());
        ResultSet rs = c.getMetaData().getTables(null, "public", "%", new String[] {"TABLE"})) {
      assertFalse(rs.next(), "the second database is empty");
    }
  }

  @Test
  void withoutPostgresqlATestIsSkippedSayingWhyUnlessCiIsTrueThenItFails() {
    TestAbortedException skipped = assertThrows(TestAbortedException.class, () -> PostgresCluster.missing(null));
    assertTrue(skipped.getMessage().contains("PostgreSQL tests skipped: no initdb and pg_ctl in /usr/lib/postgresql/*/bin"
        + " or on the PATH (install the postgresql package)"), skipped.getMessage());
    assertThrows(TestAbortedException.class, () -> PostgresCluster.missing("false"));
    AssertionError failed = assertThrows(AssertionError.class, () -> PostgresCluster.missing("true"));
    assertEquals("PostgreSQL tests cannot run: no initdb and pg_ctl in /usr/lib/postgresql/*/bin or on the PATH"
        + " (install the postgresql package); CI=true requires them", failed.getMessage());
  }
}
