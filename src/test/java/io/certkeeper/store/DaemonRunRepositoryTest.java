package io.certkeeper.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.StoreBackend;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DaemonRunRepositoryTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:44:37Z");

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void anEmptyStoreHasNoRun(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      assertEquals(Optional.empty(), new DaemonRunRepository(store).latest());
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void theLatestStartIsTheNewestWithItsHeartbeatReloadAndStop(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      DaemonRunRepository runs = new DaemonRunRepository(store);
      long first = runs.started("web1", "web1", 41, "0.1.0", Optional.empty(), T0);
      long second = runs.started("web1", "web1", 42, "0.1.1", Optional.of("/etc/certkeeper/certkeeper.yaml"), T0.plusSeconds(60));
      assertTrue(second > first, first + " then " + second);

      runs.heartbeat(second, T0.plusSeconds(65));
      runs.reloaded(second, T0.plusSeconds(70), Optional.of("x".repeat(5000)));
      DaemonRun r = runs.latest().orElseThrow();
      assertEquals(new DaemonRun(second, "web1", "web1", 42, "0.1.1", Optional.of("/etc/certkeeper/certkeeper.yaml"),
          T0.plusSeconds(60), T0.plusSeconds(65), Optional.empty(), Optional.of(T0.plusSeconds(70)),
          Optional.of("x".repeat(4000))), r);

      runs.reloaded(second, T0.plusSeconds(80), Optional.empty());
      runs.stopped(second, T0.plusSeconds(90));
      r = runs.latest().orElseThrow();
      assertEquals(Optional.empty(), r.lastReloadError());
      assertEquals(Optional.of(T0.plusSeconds(80)), r.lastReloadAt());
      assertEquals(Optional.of(T0.plusSeconds(90)), r.stoppedAt());
      assertEquals(T0.plusSeconds(90), r.heartbeatAt());
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void eachNodesNewestStartIsListedByName(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      DaemonRunRepository runs = new DaemonRunRepository(store);
      runs.started("b", "host1", 1, "1", Optional.empty(), T0);
      long a1 = runs.started("a", "host1", 2, "1", Optional.empty(), T0);
      long b2 = runs.started("b", "host1", 3, "1", Optional.empty(), T0.plusSeconds(5));
      // a daemon of an earlier version writes no node: the schema refuses its start
      StoreException old = org.junit.jupiter.api.Assertions.assertThrows(StoreException.class, () -> store.transaction(
          c -> c.createStatement().executeUpdate("INSERT INTO daemon_runs (host, pid, version, started_at, heartbeat_at)"
              + " VALUES ('old-host', 4, '0', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")));
      assertTrue(old.getMessage().toLowerCase(java.util.Locale.ROOT).contains("null"), old.getMessage());
      java.util.List<DaemonRun> latest = runs.latestPerNode();
      assertEquals(java.util.List.of("a", "b"), latest.stream().map(DaemonRun::node).toList());
      assertEquals(java.util.List.of(a1, b2), latest.subList(0, 2).stream().map(DaemonRun::id).toList());
      assertEquals(b2, runs.latest("b").orElseThrow().id());
      assertEquals(Optional.empty(), runs.latest("c"));
    }
  }
}
