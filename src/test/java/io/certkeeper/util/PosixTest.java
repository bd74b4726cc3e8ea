package io.certkeeper.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosixTest {
  @TempDir Path dir;

  @Test
  void theUmaskIsReadWithoutTheCLibraryAndEnsuredWithIt() throws Exception {
    assumeTrue(Posix.available(), "needs the C library (Linux)");
    int before = Posix.umask(0022).orElseThrow();
    try {
      assertEquals(0022, Posix.currentUmask().orElseThrow());
      assertTrue(Posix.ensureUmask(0077));
      assertEquals(0077, Posix.currentUmask().orElseThrow());
      Path file = Files.createFile(dir.resolve("new"));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
      assertTrue(Posix.ensureUmask(0077), "already in force");
      assertEquals(0077, Posix.currentUmask().orElseThrow());
    } finally {
      Posix.umask(before);
    }
  }
}
