package io.certkeeper.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.StoreBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The shared slot coverage: claimed by one node at a time, on each engine. */
class ProbeSlotRepositoryTest {
  private static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void aClaimMovesTheCoverageOnlyFromTheValueItRead(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      ProbeSlotRepository repo = new ProbeSlotRepository(store);
      assertEquals(Optional.empty(), repo.coveredUntil("s"));
      assertTrue(repo.advance("s", Optional.empty(), T, "a", T));
      assertFalse(repo.advance("s", Optional.empty(), T.plusSeconds(5), "b", T), "the first claim is made once");
      assertTrue(repo.advance("s", Optional.of(T), T.plusSeconds(5), "a", T));
      assertFalse(repo.advance("s", Optional.of(T), T.plusSeconds(10), "b", T), "b read a value a moved");
      assertEquals(Optional.of(T.plusSeconds(5)), repo.coveredUntil("s"));
      assertEquals(Optional.of("a"), repo.lastNode());
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void ofManyConcurrentClaimsOfOneValueExactlyOneWins(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      ProbeSlotRepository repo = new ProbeSlotRepository(store);
      repo.advance("s", Optional.empty(), T, "seed", T);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        for (int round = 0; round < 20; round++) {
          Instant from = T.plusSeconds(5L * round);
          AtomicInteger won = new AtomicInteger();
          List<Future<?>> fs = new ArrayList<>();
          for (int node = 0; node < 8; node++) {
            String name = "n" + node;
            fs.add(pool.submit(() -> {
              if (repo.advance("s", Optional.of(from), from.plusSeconds(5), name, T)) {
                won.incrementAndGet();
              }
              return null;
            }));
          }
          for (Future<?> f : fs) {
            f.get();
          }
          assertEquals(1, won.get(), "round " + round);
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(Optional.of(T.plusSeconds(100)), repo.coveredUntil("s"));
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void aStartRestartsTheCoverageOnlyWhenNoNodeHasDispatchedForAWhile(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      ProbeSlotRepository repo = new ProbeSlotRepository(store);
      Duration stale = Duration.ofMinutes(1);
      assertEquals(T, repo.restart("s", T, stale, "a"), "the first start covers from now");
      repo.advance("s", Optional.of(T), T.plusSeconds(5), "a", T);
      // b starts while a dispatches: a's coverage stands
      assertEquals(T.plusSeconds(5), repo.restart("s", T.plusSeconds(3), stale, "b"));
      assertEquals(Optional.of(T.plusSeconds(5)), repo.coveredUntil("s"));
      // the fleet was down for an hour: coverage starts again now (the start catches up the rest)
      Instant later = T.plus(Duration.ofHours(1));
      assertEquals(later, repo.restart("s", later, stale, "b"));
      assertEquals(Optional.of("b"), repo.lastNode());
    }
  }
}
