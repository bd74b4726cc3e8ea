package io.certkeeper.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.certkeeper.testing.PostgresCluster;
import io.certkeeper.testing.StoreBackend;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A store of schema 11 (managed certificates and listeners keyed by name alone) upgrades to the
 * current one with each row given to the node that wrote it: the node of its newest generation,
 * else the node of the newest daemon run.
 */
class NodeOwnershipUpgradeTest {
  @TempDir Path dir;

  /** A new store of {@code backend} at schema 11: its URL, user and password. */
  private String[] schema11(StoreBackend backend) throws Exception {
    String url;
    String user;
    String password;
    if (backend == StoreBackend.H2) {
      Class.forName(Store.class.getName()); // its server binds loopback only
      url = "jdbc:h2:file:" + dir.resolve("store") + ";DB_CLOSE_ON_EXIT=FALSE";
      user = "sa";
      password = "";
    } else {
      PostgresCluster.Database db = PostgresCluster.get().newDatabase();
      url = db.url();
      user = db.user();
      password = db.password();
    }
    Flyway.configure().dataSource(url, user, password)
        .locations("classpath:db/migration/common", "classpath:db/migration/" + backend.toString())
        .target("11").load().migrate();
    return new String[] {url, user, password};
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void rowsOfSchema11GoToTheNodeThatWroteThem(StoreBackend backend) throws Exception {
    String[] db = schema11(backend);
    String url = db[0];
    String user = db[1];
    String password = db[2];
    try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO daemon_runs (host, node, pid, version, started_at, heartbeat_at) VALUES"
          + " ('h1', 'web-1', 1, '1', TIMESTAMP '2030-01-01 00:00:00+00', TIMESTAMP '2030-01-01 00:00:00+00'),"
          + " ('h2', 'web-2', 2, '1', TIMESTAMP '2030-01-01 00:00:00+00', TIMESTAMP '2030-01-01 00:00:00+00')");
      for (String name : List.of("web", "api")) {
        s.executeUpdate("INSERT INTO managed_certificates (name, serial, sha256, key_sha256, not_before, not_after,"
            + " generation, last_renewed_at) VALUES ('" + name + "', '0a', 'aa', 'kk', TIMESTAMP '2030-01-01 00:00:00+00',"
            + " TIMESTAMP '2030-02-01 00:00:00+00', 1, TIMESTAMP '2030-01-01 00:00:00+00')");
      }
      // web's generation names its node; api's is from before nodes had names
      s.executeUpdate("INSERT INTO managed_generations (name, generation, serial, sha256, not_after, reason,"
          + " swapped_at, node) VALUES ('web', 1, '0a', 'aa', TIMESTAMP '2030-02-01 00:00:00+00', 'first',"
          + " TIMESTAMP '2030-01-01 00:00:00+00', 'web-1'), ('api', 1, '0a', 'aa', TIMESTAMP '2030-02-01 00:00:00+00',"
          + " 'first', TIMESTAMP '2030-01-01 00:00:00+00', NULL)");
      s.executeUpdate("INSERT INTO listener_state (name, bind, role, sha256, serial, not_after, loaded_at) VALUES"
          + " ('admin', '127.0.0.1:9443', 'admin', 'aa', '0a', TIMESTAMP '2030-02-01 00:00:00+00',"
          + " TIMESTAMP '2030-01-01 00:00:00+00')");
    }
    try (Store store = Store.open(url, Optional.of(user), Optional.of(password.toCharArray()), 2)) {
      assertEquals(Store.SCHEMA_VERSION, store.schemaVersion());
      assertEquals(List.of("web-1/web", "web-2/api"), ManagedCertificateRepository.everyNode(store).stream()
          .map(m -> m.node() + "/" + m.name()).toList());
      assertEquals(List.of("web-2/admin"), ListenerStateRepository.everyNode(store).stream()
          .map(l -> l.node() + "/" + l.name()).toList());
      // each node goes on with its own history: web-2 renews api to generation 2
      new ManagedCertificateRepository(store, "web-2").swapped("api", new GenerationInForce("0b", "bb", "kk",
          java.time.Instant.parse("2030-01-02T00:00:00Z"), java.time.Instant.parse("2030-03-01T00:00:00Z")),
          "renewal", java.time.Instant.parse("2030-01-02T00:00:00Z"));
      assertEquals(2L, new ManagedCertificateRepository(store, "web-2").find("api").orElseThrow().generation());
      assertEquals(Optional.empty(), new ManagedCertificateRepository(store, "web-1").find("api"));
    }
  }

  /**
   * Before nodes owned their rows, two nodes swapping one name shared one row: its history holds
   * generations of both. The row goes to the node of the newest; the other node, reconciling its own
   * files, continues its own history above what it already holds, with no clash of keys.
   */
  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void aNodeWhoseRowAnotherTookContinuesAboveItsOwnGenerations(StoreBackend backend) throws Exception {
    String[] db = schema11(backend);
    try (Connection c = DriverManager.getConnection(db[0], db[1], db[2]); Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO managed_certificates (name, serial, sha256, key_sha256, not_before, not_after,"
          + " generation, last_renewed_at) VALUES ('web', '0b', 'bb', 'kk', TIMESTAMP '2030-01-01 00:00:00+00',"
          + " TIMESTAMP '2030-02-01 00:00:00+00', 2, TIMESTAMP '2030-01-01 00:00:00+00')");
      s.executeUpdate("INSERT INTO managed_generations (name, generation, serial, sha256, not_after, reason,"
          + " swapped_at, node) VALUES ('web', 1, '0a', 'aa', TIMESTAMP '2030-02-01 00:00:00+00', 'first',"
          + " TIMESTAMP '2030-01-01 00:00:00+00', 'web-2'), ('web', 2, '0b', 'bb', TIMESTAMP '2030-02-01 00:00:00+00',"
          + " 'renewal', TIMESTAMP '2030-01-02 00:00:00+00', 'web-1')");
    }
    try (Store store = Store.open(db[0], Optional.of(db[1]), Optional.of(db[2].toCharArray()), 2)) {
      assertEquals(2L, new ManagedCertificateRepository(store, "web-1").find("web").orElseThrow().generation());
      ManagedCertificateRepository two = new ManagedCertificateRepository(store, "web-2");
      assertEquals(Optional.empty(), two.find("web"));
      two.swapped("web", new GenerationInForce("0a", "aa", "kk", java.time.Instant.parse("2030-01-01T00:00:00Z"),
          java.time.Instant.parse("2030-02-01T00:00:00Z")), "reconciled", java.time.Instant.parse("2030-01-03T00:00:00Z"));
      assertEquals(2L, two.find("web").orElseThrow().generation(), "above its generation 1");
      assertEquals("0b", new ManagedCertificateRepository(store, "web-1").find("web").orElseThrow().serial());
    }
  }
}
