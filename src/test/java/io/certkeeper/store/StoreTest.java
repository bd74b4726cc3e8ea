package io.certkeeper.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.Migrations;
import io.certkeeper.testing.OpenSsl;
import io.certkeeper.testing.StoreBackend;
import io.certkeeper.x509.CertificateInfo;
import io.certkeeper.x509.Fingerprints;
import io.certkeeper.x509.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The schema and the certificates table, on each engine ({@link StoreBackend}). */
class StoreTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void migrationsCreateTheSchemaInAFreshStore(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      assertEquals(backend.engine(), store.engine());
      assertEquals(Migrations.latest(), store.schemaVersion());
      if (backend == StoreBackend.H2) {
        assertTrue(Files.exists(dir.resolve("certkeeper.mv.db")));
      }
      try (Connection c = store.connection();
          ResultSet rs = c.getMetaData().getTables(null, null, "%", new String[] {"TABLE"})) {
        List<String> tables = new java.util.ArrayList<>();
        while (rs.next()) {
          tables.add(rs.getString("TABLE_NAME").toLowerCase(java.util.Locale.ROOT));
        }
        assertTrue(tables.containsAll(List.of("certificates", "daemon_runs", "qrtz_triggers", "qrtz_job_details",
            "qrtz_locks", "flyway_schema_history")), tables.toString());
      }
    }
  }

  @Test
  void theSchemaVersionCommandsExpectIsTheNewestMigrationOnBothEngines() {
    assertEquals(Migrations.latest(), Store.SCHEMA_VERSION);
    List<Integer> pg = Migrations.postgresqlVersions();
    assertEquals(Store.SCHEMA_VERSION, Integer.toString(pg.get(pg.size() - 1)));
    assertEquals(Migrations.h2Versions(), pg, "the same versions on both engines");
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void aStoreAtThisSchemaOpensWithoutFlyway(StoreBackend backend) throws Exception {
    Path data = dir.resolve("data");
    StoreBackend.Location location = backend.fresh(data);
    try (Store store = location.open(2)) {
      // Flyway validates checksums when it migrates: a changed one would fail an open that ran it
      store.transaction(c -> c.createStatement().executeUpdate(
          "UPDATE \"flyway_schema_history\" SET \"checksum\" = 12345 WHERE \"version\" = '1'"));
    }
    try (Store again = location.open(2)) {
      assertEquals(Store.SCHEMA_VERSION, again.schemaVersion());
    }
    Path trace = data.resolve("certkeeper.trace.db");
    assertTrue(!Files.exists(trace), () -> "no failed query on the way: " + readQuietly(trace));
  }

  /** H2 only: a command reaches a daemon's store through the daemon's H2 server ({@link StoreServer}). */
  @Test
  void aCommandConnectedToADaemonOfAnotherSchemaIsToldToRestartIt() throws Exception {
    Path data = dir.resolve("data");
    try (Store daemon = Store.serveEmbedded(data, Optional.empty(), Optional.empty(), 2, StoreWait.none())) {
      try (Store command = Store.openEmbedded(data, 2)) {
        assertEquals(Store.SCHEMA_VERSION, command.schemaVersion(), "no migration, same schema");
      }
      daemon.transaction(c -> c.createStatement().executeUpdate(
          "UPDATE \"flyway_schema_history\" SET \"version\" = '6' WHERE \"version\" = '" + Store.SCHEMA_VERSION + "'"));
      StoreException e = assertThrows(StoreException.class, () -> Store.openEmbedded(data, 2).close());
      assertEquals("the running daemon's store has schema version 6, this certkeeper needs " + Store.SCHEMA_VERSION
          + ": restart the daemon (it runs another version)", e.getMessage());
    }
  }

  @Test
  void aNewPostgresqlDatabaseIsCreatedOnlyByMigrate() throws Exception {
    StoreBackend.Location location = StoreBackend.POSTGRESQL.fresh(dir);
    StoreException e = assertThrows(StoreException.class, () -> location.open(2, Store.Schema.CHECK).close());
    assertTrue(e.getMessage().contains("has no schema yet, this certkeeper needs " + Store.SCHEMA_VERSION
        + ": run 'certkeeper migrate'"), e.getMessage());
    try (Store store = location.open(2, Store.Schema.MIGRATE)) {
      assertEquals(Store.NO_SCHEMA, store.migratedFrom());
    }
    try (Store store = location.open(2, Store.Schema.CHECK)) {
      assertEquals(Store.SCHEMA_VERSION, store.migratedFrom(), "checked, nothing to migrate");
    }
  }

  @Test
  void aNewEmbeddedStoreIsCreatedByTheCommandThatHoldsIt() throws Exception {
    try (Store store = StoreBackend.H2.fresh(dir).open(2, Store.Schema.CHECK)) {
      assertEquals(Store.SCHEMA_VERSION, store.schemaVersion());
      assertEquals(Store.NO_SCHEMA, store.migratedFrom());
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void anOlderSchemaIsUpgradedOnlyByMigrate(StoreBackend backend) throws Exception {
    StoreBackend.Location location = backend.fresh(dir);
    try (Store store = location.open()) {
      // as if the last migration had not run: the history says one version less
      store.transaction(c -> c.createStatement().executeUpdate("DELETE FROM \"flyway_schema_history\" WHERE"
          + " \"version\" = '" + Store.SCHEMA_VERSION + "'"));
    }
    String older = Integer.toString(Integer.parseInt(Store.SCHEMA_VERSION) - 1);
    StoreException e = assertThrows(StoreException.class, () -> location.open(2, Store.Schema.CHECK).close());
    assertTrue(e.getMessage().contains("has schema version " + older + ", this certkeeper needs "
        + Store.SCHEMA_VERSION + ": run 'certkeeper migrate'"), e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void aNewerSchemaIsRefusedEvenByMigrate(StoreBackend backend) throws Exception {
    StoreBackend.Location location = backend.fresh(dir);
    try (Store store = location.open()) {
      store.transaction(c -> c.createStatement().executeUpdate("UPDATE \"flyway_schema_history\" SET"
          + " \"version\" = '999' WHERE \"version\" = '" + Store.SCHEMA_VERSION + "'"));
    }
    for (Store.Schema mode : Store.Schema.values()) {
      StoreException e = assertThrows(StoreException.class, () -> location.open(2, mode).close());
      assertTrue(e.getMessage().contains("has schema version 999, newer than this certkeeper's"), e.getMessage());
      assertTrue(e.getMessage().endsWith("upgrade certkeeper here too"), e.getMessage());
    }
  }

  @Test
  void schemaVersionsCompareAsNumbers() {
    assertTrue(Store.compareVersions("10", "9") > 0);
    assertTrue(Store.compareVersions("9", "10") < 0);
    assertTrue(Store.compareVersions("10.1", "10") > 0);
    assertEquals(0, Store.compareVersions("10", "10.0"));
    assertTrue(Store.compareVersions(Store.NO_SCHEMA, "1") < 0);
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void reopeningIsIdempotentAndKeepsData(StoreBackend backend) throws Exception {
    X509Certificate cert = Pem.readCertificates(OpenSsl.selfSigned(dir, "a", "a.example", 30)).get(0);
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    StoreBackend.Location location = backend.fresh(dir);
    String history;
    try (Store store = location.open()) {
      new CertificateRepository(store).upsert(cert, CertificateRecord.Source.OBSERVED, t0);
      history = appliedMigrations(store);
    }
    try (Store store = location.open()) {
      assertEquals(Migrations.latest(), store.schemaVersion());
      assertEquals(1, new CertificateRepository(store).summary(t0, t0).total());
      assertEquals(history, appliedMigrations(store));
      List<Integer> shipped = backend == StoreBackend.H2 ? Migrations.h2Versions() : Migrations.postgresqlVersions();
      assertEquals(shipped.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")), history);
    }
  }

  private static String appliedMigrations(Store store) throws Exception {
    try (Connection c = store.connection();
        ResultSet rs = c.createStatement().executeQuery(
            "SELECT \"version\" FROM \"flyway_schema_history\" WHERE \"version\" IS NOT NULL ORDER BY \"installed_rank\"")) {
      StringBuilder sb = new StringBuilder();
      while (rs.next()) {
        sb.append(sb.length() == 0 ? "" : ",").append(rs.getString(1));
      }
      return sb.toString();
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void upsertKeepsFirstSeenAndMovesLastSeen(StoreBackend backend) throws Exception {
    X509Certificate cert = Pem.readCertificates(OpenSsl.selfSigned(dir, "b", "b.example", 30)).get(0);
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    Instant t1 = t0.plus(Duration.ofHours(5));
    try (Store store = backend.open(dir)) {
      CertificateRepository repo = new CertificateRepository(store);
      CertificateInfo info = repo.upsert(cert, CertificateRecord.Source.OBSERVED, t0);
      repo.upsert(cert, CertificateRecord.Source.OBSERVED, t1);
      repo.upsert(cert, CertificateRecord.Source.OBSERVED, t0.plusSeconds(60)); // late writer: no step back
      CertificateRecord r = repo.find(info.sha256()).orElseThrow();
      assertEquals(t0, r.firstSeen());
      assertEquals(t1, r.lastSeen());
      assertEquals(List.of("dns:b.example"), r.info().sans());
      assertEquals("EC", r.info().keyAlgorithm());
      assertEquals(256, r.info().keySize());
      assertEquals(info, r.info());
      assertEquals(cert, Pem.parseCertificates(r.pem()).get(0));
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void concurrentWritersOfTheSameNewCertificateAllSucceed(StoreBackend backend) throws Exception {
    X509Certificate cert = Pem.readCertificates(OpenSsl.selfSigned(dir, "r", "r.example", 30)).get(0);
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    try (Store store = backend.open(dir)) {
      CertificateRepository repo = new CertificateRepository(store);
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<java.util.concurrent.Future<CertificateInfo>> fs = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Instant t = t0.plusSeconds(i);
        fs.add(pool.submit(() -> {
          go.await();
          return repo.upsert(cert, CertificateRecord.Source.OBSERVED, t);
        }));
      }
      go.countDown();
      for (var f : fs) {
        f.get(); // none fails with a duplicate key
      }
      pool.shutdown();
      CertificateRecord r = repo.find(Fingerprints.sha256(cert)).orElseThrow();
      assertEquals(t0.plusSeconds(7), r.lastSeen());
      assertEquals(1, repo.summary(t0, t0).total());
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void summaryCountsExpiredAndExpiringSoon(StoreBackend backend) throws Exception {
    X509Certificate c = Pem.readCertificates(OpenSsl.selfSigned(dir, "c", "c.example", 10)).get(0);
    X509Certificate d = Pem.readCertificates(OpenSsl.selfSigned(dir, "d", "d.example", 100)).get(0);
    Instant now = Instant.now();
    try (Store store = backend.open(dir)) {
      CertificateRepository repo = new CertificateRepository(store);
      repo.upsert(c, CertificateRecord.Source.OBSERVED, now);
      repo.upsert(d, CertificateRecord.Source.ISSUED, now);
      CertificateRepository.Summary s = repo.summary(now.plus(Duration.ofDays(20)), now.plus(Duration.ofDays(50)));
      assertEquals(new CertificateRepository.Summary(2, 1, 1, 0, 1, 0), s);
      s = repo.summary(now, now.plus(Duration.ofDays(30)));
      assertEquals(new CertificateRepository.Summary(2, 1, 1, 0, 0, 1), s);
      assertEquals(1, repo.list(Optional.of(CertificateRecord.Source.ISSUED), Optional.empty(), 100).size());
      assertEquals(1, repo.list(Optional.empty(), Optional.of(now.plus(Duration.ofDays(30))), 100).size());
    }
  }

  /** A certificate keeps the strongest source it was recorded with, and the counts move with it. */
  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void aSourceOnlyEverMovesUpAndTheCountsFollow(StoreBackend backend) throws Exception {
    X509Certificate c = Pem.readCertificates(OpenSsl.selfSigned(dir, "c", "c.example", 10)).get(0);
    Instant now = Instant.now();
    try (Store store = backend.open(dir)) {
      CertificateRepository repo = new CertificateRepository(store);
      Instant soon = now.plus(Duration.ofDays(30));
      repo.upsert(c, CertificateRecord.Source.FILE, now);
      assertEquals(new CertificateRepository.Summary(1, 0, 0, 1, 0, 1), repo.summary(now, soon));
      repo.upsert(c, CertificateRecord.Source.OBSERVED, now.plusSeconds(1));
      assertEquals(new CertificateRepository.Summary(1, 0, 1, 0, 0, 1), repo.summary(now, soon));
      repo.upsert(c, CertificateRecord.Source.FILE, now.plusSeconds(2)); // a file read later: still observed
      assertEquals(new CertificateRepository.Summary(1, 0, 1, 0, 0, 1), repo.summary(now, soon));
      repo.upsert(c, CertificateRecord.Source.ISSUED, now.plusSeconds(3));
      assertEquals(new CertificateRepository.Summary(1, 1, 0, 0, 0, 1), repo.summary(now, soon));
      repo.upsert(c, CertificateRecord.Source.OBSERVED, now.plusSeconds(4));
      CertificateRecord r = repo.find(io.certkeeper.x509.Fingerprints.sha256(c)).get();
      assertEquals(CertificateRecord.Source.ISSUED, r.source());
      assertEquals(now.plusSeconds(4).getEpochSecond(), r.lastSeen().getEpochSecond());
    }
  }

  @Test
  void unreachableDatabaseIsAClearError() {
    StoreException e = assertThrows(StoreException.class, () -> Store.open(
        "jdbc:postgresql://127.0.0.1:1/none?password=s3cret", Optional.of("x"), Optional.empty(), 2));
    assertTrue(e.getMessage().startsWith("cannot open the store at jdbc:postgresql://127.0.0.1:1/none?password=****"),
        e.getMessage());
  }

  private static String readQuietly(Path f) {
    try {
      return Files.readString(f);
    } catch (java.io.IOException e) {
      return e.getMessage();
    }
  }
}
