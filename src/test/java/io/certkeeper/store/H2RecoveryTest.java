package io.certkeeper.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Random;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store file as a kill -9 leaves it (every commit written, no clean close) opens with its last
 * commit. The images are copies of the file of a store still open, taken right after a commit
 * returned; H2 alone opens some of them at an older version (see {@link H2Recovery}).
 */
class H2RecoveryTest {
  @TempDir Path dir;

  @Test
  void aCrashImageThatH2WouldOpenWithoutItsLastCommitsOpensWithThem() throws Exception {
    Path live = dir.resolve("live");
    Path image = dir.resolve("image");
    Files.createDirectories(image);
    try (Store store = Store.openEmbedded(live, 2)) {
      Files.copy(StoreSecret.file(live), StoreSecret.file(image));
      store.transaction(c -> {
        c.createStatement().execute("CREATE TABLE churn (k INT PRIMARY KEY, v VARCHAR(8000))");
        c.createStatement().execute("CREATE TABLE last_commit (id INT PRIMARY KEY, n BIGINT)");
        c.createStatement().execute("INSERT INTO last_commit VALUES (1, 0)");
        // free space is reused at once, not after 45 s: what a long-running daemon's file looks like
        c.createStatement().execute("SET RETENTION_TIME 0");
        return null;
      });
      Random random = new Random(42);
      Path file = live.resolve("certkeeper.mv.db");
      Path copy = image.resolve("certkeeper.mv.db");
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      long committed = 0;
      boolean broken = false;
      while (!broken && System.nanoTime() < deadline && committed < 5000) {
        long n = ++committed;
        int k = random.nextInt(100);
        int size = 100 + random.nextInt(4000);
        boolean remove = random.nextInt(4) == 0;
        store.transaction(c -> {
          try (PreparedStatement ps = c.prepareStatement(remove ? "DELETE FROM churn WHERE k = ?"
              : "MERGE INTO churn KEY (k) VALUES (?, '" + "v".repeat(size) + "')")) {
            ps.setInt(1, k);
            ps.executeUpdate();
          }
          try (PreparedStatement ps = c.prepareStatement("UPDATE last_commit SET n = ? WHERE id = 1")) {
            ps.setLong(1, n);
            ps.executeUpdate();
          }
          return null;
        });
        Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
        broken = version(copy, false) < version(copy, true);
      }
      // if this fails, H2 no longer loses commits this way, and H2Recovery can go
      assertTrue(broken, "no crash image that H2 opens at an older version within " + committed + " commits");
      assertTrue(!H2Recovery.cleanlyClosed(copy));
      long last = committed;
      try (Store recovered = Store.openEmbedded(image, 2)) {
        long seen = recovered.transaction(c -> {
          try (ResultSet rs = c.createStatement().executeQuery("SELECT n FROM last_commit WHERE id = 1")) {
            return rs.next() ? rs.getLong(1) : -1L;
          }
        });
        assertEquals(last, seen, "the last commit before the image was lost");
      }
      assertTrue(H2Recovery.cleanlyClosed(copy), "closing the store marks the file clean");
      assertEquals(H2Recovery.Outcome.CLEAN, H2Recovery.recover(copy));
    }
  }

  @Test
  void aCleanlyClosedFileAndNoFileAreLeftAlone() throws Exception {
    try (Store store = Store.openEmbedded(dir, 2)) {
      store.transaction(c -> c.createStatement().execute("CREATE TABLE t (k INT)"));
    }
    assertTrue(H2Recovery.cleanlyClosed(dir.resolve("certkeeper.mv.db")));
    assertEquals(H2Recovery.Outcome.CLEAN, H2Recovery.recover(dir.resolve("certkeeper.mv.db")));
    assertEquals(H2Recovery.Outcome.CLEAN, H2Recovery.recover(dir.resolve("none.mv.db")));
  }

  @Test
  void aFileOfGarbageIsLeftToH2WhichRefusesItInOneLine() throws Exception {
    byte[] garbage = new byte[64 * 1024];
    new Random(7).nextBytes(garbage);
    Files.write(dir.resolve("certkeeper.mv.db"), garbage);
    assertEquals(H2Recovery.Outcome.SKIPPED, H2Recovery.recover(dir.resolve("certkeeper.mv.db")));
    Files.write(dir.resolve("empty.mv.db"), new byte[0]);
    H2Recovery.recover(dir.resolve("empty.mv.db")); // no exception, whatever H2 makes of it
    StoreException e = org.junit.jupiter.api.Assertions.assertThrows(StoreException.class,
        () -> Store.openEmbedded(dir, 2).close());
    assertTrue(e.getMessage().contains("certkeeper"), e.getMessage());
  }

  /**
   * Closing any descriptor of a file drops every POSIX lock this process holds on it, so nothing
   * may open the file of a store this process holds: asking who holds it keeps the lock in force.
   */
  @Test
  void askingWhoHoldsAStoreThisProcessHoldsKeepsItsLock() throws Exception {
    try (Store store = Store.openEmbedded(dir, 2)) {
      store.transaction(c -> c.createStatement().execute("CREATE TABLE t (k INT)"));
      Path file = dir.resolve("certkeeper.mv.db");
      assertTrue(locked(file), "the open store holds no lock on its file");
      assertTrue(Store.heldElsewhere(dir).isPresent());
      assertTrue(locked(file), "asking who holds the store dropped this process's lock on it");
    }
  }

  /** Whether this process holds a lock on {@code file}, as the kernel lists it. */
  private static boolean locked(Path file) throws Exception {
    Object inode = Files.getAttribute(file, "unix:ino");
    String pid = Long.toString(ProcessHandle.current().pid());
    for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
      String[] f = line.trim().split("\\s+");
      // "1: POSIX  ADVISORY  WRITE 1234 08:01:5678 0 EOF"
      if (f.length > 5 && f[4].equals(pid) && f[5].endsWith(":" + inode)) {
        return true;
      }
    }
    return false;
  }

  private static long version(Path file, boolean recovery) {
    MVStore.Builder b = new MVStore.Builder().fileName(file.toString()).readOnly();
    try (MVStore s = (recovery ? b.recoveryMode() : b).open()) {
      return s.getCurrentVersion();
    }
  }
}
