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

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void rowsOfSchema11GoToTheNodeThatWroteThem(StoreBackend backend) throws Exception {
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
}
