package io.certkeeper.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  @Test
  void privateFilesAreCreatedOwnerOnly() throws Exception {
    Path key = dir.resolve("key.pem");
    AtomicFiles.write(key, "secret".getBytes(), AtomicFiles.PRIVATE);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    assertEquals("secret", Files.readString(key));
  }

  @Test
  void replacesContentAndLeavesNoTemporaryFiles() throws Exception {
    Path cert = dir.resolve("cert.pem");
    AtomicFiles.write(cert, "old".getBytes(), AtomicFiles.PUBLIC);
    AtomicFiles.write(cert, "new".getBytes(), AtomicFiles.PUBLIC);
    assertEquals("new", Files.readString(cert));
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(cert)));
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(1, s.count());
    }
  }

  @Test
  void createRefusesToReplace() throws Exception {
    Path f = dir.resolve("root.pem");
    AtomicFiles.create(f, "one".getBytes(), AtomicFiles.PUBLIC);
    assertThrows(FileAlreadyExistsException.class, () -> AtomicFiles.create(f, "two".getBytes(), AtomicFiles.PUBLIC));
    assertEquals("one", Files.readString(f));
  }

  @Test
  void createsMissingParentDirectories() throws Exception {
    Path f = dir.resolve("a/b/c.pem");
    AtomicFiles.write(f, "x".getBytes(), AtomicFiles.PUBLIC);
    assertEquals("x", Files.readString(f));
  }
}
