package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.config.Config;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreSecret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening the store leaves everything below the data directory owner-only, whatever the mode of
 * the directory itself and whatever an earlier version left there. (This test runs in the test
 * JVM, whose umask is the shell's: H2 creates its files group/world-readable here, as it did for
 * every certkeeper before the umask was set.)
 */
@Tag("security")
class DataDirModesTest {
  @TempDir Path dir;

  /** Every file and directory below {@code root} (not following links) with group/other bits, with its mode. */
  static List<String> accessibleToOthers(Path root) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(p -> !p.equals(root) && !Files.isSymbolicLink(p)).toList()) {
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
        if (!mode.endsWith("------")) {
          out.add(root.relativize(p) + " " + mode);
        }
      }
    }
    return out;
  }

  @Test
  @SuppressWarnings("try") // the store is held open while the body checks the files it made
  void aDataDirMade0755HoldsOnlyOwnerOnlyFilesAfterOpen() throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectory(data, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));

    try (Store store = StoreOpener.open(Config.defaults(), data)) {
      assertTrue(Files.exists(data.resolve("certkeeper.mv.db")), "the store is open");
      assertTrue(Files.exists(data.resolve(StoreSecret.FILE_NAME)));
      assertEquals(List.of(), accessibleToOthers(data));
      assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)),
          "the data dir's own mode is the administrator's ('status' warns about it)");
    }
  }

  @Test
  @SuppressWarnings("try") // the store is held open while the body checks the files it made
  void filesAnEarlierVersionLeftReadableAreMadeOwnerOnlyWithoutFollowingLinks() throws Exception {
    Path data = dir.resolve("data");
    Path ca = data.resolve("ca");
    Path gen = data.resolve("managed/web/generations/01");
    Files.createDirectories(ca);
    Files.createDirectories(gen);
    Files.writeString(ca.resolve("root.pem"), "root\n");
    Files.writeString(gen.resolve("cert.pem"), "cert\n");
    Path outside = Files.writeString(dir.resolve("outside.pem"), "not certkeeper's\n");
    for (Path p : List.of(data, ca, data.resolve("managed"), data.resolve("managed/web"), gen.getParent(), gen)) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    for (Path p : List.of(ca.resolve("root.pem"), gen.resolve("cert.pem"), outside)) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
    }
    Files.createSymbolicLink(data.resolve("managed/web/current"), gen);
    Files.createSymbolicLink(ca.resolve("published.pem"), outside);

    try (Store store = StoreOpener.open(Config.defaults(), data)) {
      assertEquals(List.of(), accessibleToOthers(data));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ca.resolve("root.pem"))));
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(gen)));
      assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(outside)),
          "a link out of the data dir is not followed");
    }
  }
}
