package io.certkeeper.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.util.CpuSlots;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GroupCommitTest {
  @TempDir Path dir;

  private static boolean present(Store store, String v) throws Exception {
    return store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM gc_test WHERE v = ?")) {
        ps.setString(1, v);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next();
        }
      }
    });
  }

  @Test
  void callersThatArriveDuringACommitShareTheNextOneAndEachSeesOnlyItsOwnFailure() throws Exception {
    try (Store store = Store.openEmbedded(dir, 10)) {
      store.transaction(c -> c.createStatement().execute("CREATE TABLE gc_test (v VARCHAR(20) PRIMARY KEY)"));
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch started = new CountDownLatch(1);
      Map<String, String> threads = new ConcurrentHashMap<>();
      GroupCommit<String, String> gc = new GroupCommit<>(store,
          holdingWork(Map.of("first", release), threads, started), 100, new CpuSlots(2));
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        Future<String> first = pool.submit(() -> gc.submit("first"));
        assertTrue(started.await(30, TimeUnit.SECONDS)); // "first" leads a batch of its own and holds it
        Map<String, Future<String>> others = new LinkedHashMap<>();
        for (String item : List.of("a", "b", "bad1", "c", "d", "e", "f")) {
          others.put(item, pool.submit(() -> gc.submit(item)));
        }
        awaitWaiting(gc, 7);
        release.countDown();
        assertEquals("first", first.get(30, TimeUnit.SECONDS));
        for (var f : others.entrySet()) {
          try {
            assertEquals(f.getKey(), f.getValue().get(30, TimeUnit.SECONDS), "each caller gets its own result");
            assertTrue(present(store, f.getKey()), f.getKey());
          } catch (ExecutionException e) {
            assertEquals("bad1", f.getKey());
            assertInstanceOf(GroupCommit.SqlFailure.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("refused bad1"), e.getCause().getMessage());
          }
        }
      } finally {
        release.countDown();
        pool.shutdownNow();
      }
      // "first" alone, then the seven that waited for it together
      assertEquals(2, gc.batches());
      // the failed item's insert was rolled back to its savepoint; its neighbours committed
      assertTrue(!present(store, "bad1"));
      assertTrue(present(store, "a") && present(store, "f"));
    }
  }

  @ParameterizedTest(name = "committer thread: {0}")
  @ValueSource(booleans = {true, false})
  void everyCallerReturnsWhenMoreWaitThanABatchTakes(boolean committer) throws Exception {
    Executor committers = committer ? Executors.newCachedThreadPool() : r -> {
      throw new RejectedExecutionException("no threads");
    };
    try (Store store = Store.openEmbedded(dir, 4)) {
      store.transaction(c -> c.createStatement().execute("CREATE TABLE gc_many (v INTEGER PRIMARY KEY)"));
      // batches of 3 for 32 callers: most wait through several commits, each woken only when its
      // item is done (or, without a committer, also when it heads the queue; then a leader's own
      // item can be beyond the three it takes, and it leads again)
      GroupCommit<Integer, Integer> gc = new GroupCommit<>(store, (c, item) -> {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO gc_many (v) VALUES (?)")) {
          ps.setInt(1, item);
          ps.executeUpdate();
        }
        return item;
      }, 3, new CpuSlots(2), committers);
      ExecutorService pool = Executors.newFixedThreadPool(32);
      try {
        List<Future<Integer>> all = new ArrayList<>();
        for (int t = 0; t < 32; t++) {
          int base = t * 1000;
          all.add(pool.submit(() -> {
            int sum = 0;
            for (int i = 0; i < 50; i++) {
              sum += gc.submit(base + i) - base;
            }
            return sum;
          }));
        }
        for (Future<Integer> f : all) {
          assertEquals(49 * 50 / 2, f.get(120, TimeUnit.SECONDS));
        }
      } finally {
        pool.shutdownNow();
        if (committers instanceof ExecutorService e) {
          e.shutdown();
        }
      }
      assertEquals(1600, (int) store.transaction(c -> {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM gc_many")) {
          rs.next();
          return rs.getInt(1);
        }
      }));
      assertTrue(gc.batches() >= 1600 / 3, "never more than 3 in a batch: " + gc.batches());
      assertEquals(0, gc.waiting());
    }
  }

  /**
   * A work that inserts each item and records the thread it ran on; an item in {@code holds} counts
   * {@code held} down and waits for its latch first, and an item named "bad…" fails after its insert.
   */
  private static GroupCommit.Work<String, String> holdingWork(Map<String, CountDownLatch> holds,
      Map<String, String> threads, CountDownLatch held) {
    return (c, item) -> {
      threads.put(item, Thread.currentThread().getName());
      CountDownLatch hold = holds.get(item);
      if (hold != null) {
        held.countDown();
        try {
          hold.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          throw new SQLException(e);
        }
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO gc_test (v) VALUES (?)")) {
        ps.setString(1, item);
        ps.executeUpdate();
      }
      if (item.startsWith("bad")) {
        throw new SQLException("refused " + item);
      }
      return item;
    };
  }

  private static void awaitWaiting(GroupCommit<?, ?> gc, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (gc.waiting() < n && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(n, gc.waiting());
  }

  @Test
  void aLeaderReturnsOnceItsOwnItemCommittedAndACommitterTakesOverTheRest() throws Exception {
    try (Store store = Store.openEmbedded(dir, 10)) {
      store.transaction(c -> c.createStatement().execute("CREATE TABLE gc_test (v VARCHAR(20) PRIMARY KEY)"));
      CountDownLatch releaseFirst = new CountDownLatch(1);
      CountDownLatch releaseSecond = new CountDownLatch(1);
      CountDownLatch held = new CountDownLatch(2);
      Map<String, String> threads = new ConcurrentHashMap<>();
      GroupCommit<String, String> gc = new GroupCommit<>(store,
          holdingWork(Map.of("first", releaseFirst, "a", releaseSecond), threads, held), 100, new CpuSlots(2));
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        Future<String> first = pool.submit(() -> gc.submit("first"));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (held.getCount() == 2 && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        assertEquals(1, held.getCount(), "\"first\" leads a batch of its own and holds it");
        List<Future<String>> others = new ArrayList<>();
        for (String item : List.of("a", "b", "c")) {
          others.add(pool.submit(() -> gc.submit(item)));
        }
        awaitWaiting(gc, 3);
        releaseFirst.countDown();
        // "first" is back while the batch of the three is still being committed (held at "a")
        assertEquals("first", first.get(30, TimeUnit.SECONDS));
        assertTrue(held.await(30, TimeUnit.SECONDS));
        assertTrue(others.stream().noneMatch(Future::isDone));
        releaseSecond.countDown();
        for (Future<String> f : others) {
          assertTrue(present(store, f.get(30, TimeUnit.SECONDS)));
        }
      } finally {
        releaseFirst.countDown();
        releaseSecond.countDown();
        pool.shutdownNow();
      }
      assertEquals(2, gc.batches());
      assertTrue(threads.get("first").startsWith("pool-"), threads.toString());
      for (String item : List.of("a", "b", "c")) {
        assertTrue(threads.get(item).startsWith("certkeeper-commit-"), threads.toString());
      }
    }
  }

  @Test
  void withoutACommitterTheCallerAtTheHeadOfTheQueueLeadsNext() throws Exception {
    try (Store store = Store.openEmbedded(dir, 10)) {
      store.transaction(c -> c.createStatement().execute("CREATE TABLE gc_test (v VARCHAR(20) PRIMARY KEY)"));
      CountDownLatch releaseFirst = new CountDownLatch(1);
      CountDownLatch held = new CountDownLatch(1);
      Map<String, String> threads = new ConcurrentHashMap<>();
      GroupCommit<String, String> gc = new GroupCommit<>(store,
          holdingWork(Map.of("first", releaseFirst), threads, held), 100, new CpuSlots(2), r -> {
            throw new RejectedExecutionException("no threads");
          });
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        Future<String> first = pool.submit(() -> gc.submit("first"));
        assertTrue(held.await(30, TimeUnit.SECONDS));
        List<Future<String>> others = new ArrayList<>();
        for (String item : List.of("a", "b", "c", "d")) {
          others.add(pool.submit(() -> gc.submit(item)));
        }
        awaitWaiting(gc, 4);
        releaseFirst.countDown();
        assertEquals("first", first.get(30, TimeUnit.SECONDS));
        for (Future<String> f : others) {
          assertTrue(present(store, f.get(30, TimeUnit.SECONDS)));
        }
      } finally {
        releaseFirst.countDown();
        pool.shutdownNow();
      }
      assertEquals(2, gc.batches());
      String second = threads.get("a");
      assertTrue(second.startsWith("pool-"), threads.toString());
      for (String item : List.of("b", "c", "d")) {
        assertEquals(second, threads.get(item), "one batch, led by one of its callers: " + threads);
      }
    }
  }
}
