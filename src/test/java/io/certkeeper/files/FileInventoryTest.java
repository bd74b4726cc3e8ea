package io.certkeeper.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.config.Config;
import io.certkeeper.config.ConfigLoader;
import io.certkeeper.store.Store;
import io.certkeeper.store.WatchedFileRepository;
import io.certkeeper.testing.OpenSsl;
import io.certkeeper.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Walks and rescans on real files: a base directory that is a symbolic link, what {@code **}
 * matches, a missing base directory as a problem of its pattern, a FIFO and a directory link left
 * alone, and a rescan that reads only what changed.
 */
class FileInventoryTest {
  @TempDir Path dir;

  private void cert(Path out, String cn) throws Exception {
    Files.createDirectories(out.getParent());
    OpenSsl.run(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
        dir.resolve(cn + ".key").toString(), "-out", out.toString(), "-subj", "/CN=" + cn, "-days", "30")
        .requireSuccess();
  }

  @Test
  void walksFollowTheBaseLinkNotOthersAndSayWhatIsMissing() throws Exception {
    cert(dir.resolve("real/top.pem"), "top");
    cert(dir.resolve("real/sub/deep.pem"), "deep");
    Files.createSymbolicLink(dir.resolve("certs"), dir.resolve("real"));
    Files.createSymbolicLink(dir.resolve("real/sub/loop"), dir.resolve("real")); // not walked
    Process fifo = new ProcessBuilder("mkfifo", dir.resolve("real/pipe.pem").toString()).start();
    assertEquals(0, fifo.waitFor());

    GlobPattern.Walk top = GlobPattern.of(dir + "/certs/*.pem").walk(100, () -> false);
    assertEquals(List.of(dir.resolve("certs/top.pem")), top.files(), "the link's name, not the target's; no FIFO");
    GlobPattern.Walk deep = GlobPattern.of(dir + "/certs/**/*.pem").walk(100, () -> false);
    assertEquals(List.of(dir.resolve("certs/sub/deep.pem")), deep.files(), "** is one or more directories");
    GlobPattern.Walk none = GlobPattern.of(dir + "/absent/*.pem").walk(100, () -> false);
    assertTrue(none.baseFailure().isPresent());
    assertEquals(0, GlobPattern.of(dir + "/certs/**/*.pem").walk(100, () -> true).files().size(), "stopped");

    Path conf = dir.resolve("certkeeper.yaml");
    Files.writeString(conf, "files:\n  - paths: [certs/*.pem, certs/**/*.pem, absent/*.p12]\n");
    Config config = ConfigLoader.load(conf);
    TestClock clock = new TestClock(Instant.parse("2026-12-01T00:00:00Z"));
    try (Store store = Store.openEmbedded(dir.resolve("data"), 2)) {
      WatchedFileRepository repo = new WatchedFileRepository(store, "n1");
      FileInventory inventory = new FileInventory(repo, clock);
      FileInventory.Pass first = inventory.rescanAll(config.files());
      assertEquals(new FileInventory.Pass(3, 2, 1, 0), first);
      Map<String, String> state = repo.list().stream().collect(Collectors.toMap(
          f -> dir.relativize(Path.of(f.path())).toString(), f -> f.problemCode().orElse("ok")));
      assertEquals(Map.of("certs/top.pem", "ok", "certs/sub/deep.pem", "ok", "absent", "missing"), state);

      // nothing changed: nothing read; one file changed: it alone is read
      clock.advance(Duration.ofMinutes(5));
      assertEquals(new FileInventory.Pass(3, 0, 1, 0), inventory.rescanAll(config.files()));
      cert(dir.resolve("real/top.pem"), "top2");
      assertEquals(new FileInventory.Pass(3, 1, 1, 0), inventory.rescanAll(config.files()));
      assertEquals("CN=top2", repo.list().stream().filter(f -> f.path().endsWith("top.pem")).findFirst().get()
          .entries().get(0).subject());

      // the base appears: the problem goes, its files come
      Files.createDirectories(dir.resolve("absent"));
      FileInventory.Pass after = inventory.rescanAll(config.files());
      assertEquals(2, after.matched(), after.toString());
      assertEquals(1, after.forgotten(), "the pattern's problem row");
    }
  }
}
