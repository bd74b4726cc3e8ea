package io.certkeeper.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A closed store is closed: files released at once, reopenable at once, and interrupts do not break it.
 *
 * <p>H2 only: these are properties of the embedded file (its lock, H2 closing the file with its last
 * connection, a file channel closed by an interrupt); a PostgreSQL store has no file in this process.
 */
@Tag("reliability")
class StoreCloseTest {
  @TempDir Path dir;

  @Test
  void closeReleasesTheFilesSoTheDirectoryCanBeDeletedAtOnce() throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    try (Store store = Store.openEmbedded(data, 4)) {
      insert(store, "one");
    }
    assertEquals(java.util.Optional.empty(), Store.heldElsewhere(data), "the file's lock outlives close");
    deleteTree(data);
    assertFalse(Files.exists(data), "the data directory came back: " + list(dir));
  }

  @Test
  void aClosedStoreReopensAtOnceInTheSameProcessWithItsData() throws Exception {
    for (int i = 0; i < 20; i++) {
      try (Store store = Store.openEmbedded(dir, 4)) {
        assertEquals(i, count(store), "rows after " + i + " reopenings");
        insert(store, "row " + i);
      }
    }
  }

  @Test
  void aThreadInterruptedInsideJdbcDoesNotCloseTheStoreForOthers() throws Exception {
    try (Store store = Store.openEmbedded(dir, 4)) {
      for (int round = 0; round < 10; round++) {
        AtomicBoolean run = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
          while (run.get()) {
            try {
              insert(store, "x".repeat(500));
            } catch (StoreException e) {
              // the interrupted insert itself may fail; the store must not
            }
          }
        }, "interrupted-writer");
        writer.start();
        for (int i = 0; i < 20; i++) {
          writer.interrupt();
          Thread.onSpinWait();
        }
        run.set(false);
        writer.join();
        assertTrue(store.isReachable(), "round " + round + ": the store broke after interrupts: " + list(dir));
        count(store);
        // H2 writes its trace file the moment an interrupt closes the database
        Path trace = dir.resolve("certkeeper.trace.db");
        assertFalse(Files.exists(trace), () -> "H2 wrote a trace file: " + head(trace));
      }
    }
  }

  private static void insert(Store store, String subject) throws StoreException {
    store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO daemon_runs (node, host, pid, version, started_at, heartbeat_at) VALUES (?, ?, 1, 'test', ?, ?)")) {
        ps.setString(1, "test");
        ps.setString(2, subject.length() > 200 ? subject.substring(0, 200) : subject);
        Jdbc.setInstant(ps, 3, java.time.Instant.EPOCH);
        Jdbc.setInstant(ps, 4, java.time.Instant.EPOCH);
        return ps.executeUpdate();
      }
    });
  }

  private static long count(Store store) throws Exception {
    try (Connection c = store.connection();
        var st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM daemon_runs")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static String head(Path f) {
    try {
      return Files.readString(f).lines().filter(l -> !l.startsWith("\tat ") || l.contains("mvstore") || l.contains("fs.")).limit(40).reduce("", (a, b) -> a + "\n" + b);
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static List<String> list(Path d) throws IOException {
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
