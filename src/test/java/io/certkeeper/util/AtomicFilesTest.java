package io.certkeeper.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

  @Test
  void missingParentsOfAPrivateFileAreCreatedSoTheKeyMayGoThere() throws Exception {
    int old = Posix.umask(0).orElse(0);
    try {
      Path key = dir.resolve("new/sub/key.pem");
      AtomicFiles.write(key, "k".getBytes(), AtomicFiles.PRIVATE);
      assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(key.getParent())));
    } finally {
      Posix.umask(old);
    }
  }

  @Tag("security")
  @ParameterizedTest
  @ValueSource(ints = {0777, 0770, 0702, 01777})
  void aPrivateFileIsRefusedInADirectoryOthersCanWrite(int mode) throws Exception {
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Files.setAttribute(shared, "unix:mode", mode);
    Path key = shared.resolve("key.pem");
    IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(key, "secret".getBytes(), AtomicFiles.PRIVATE));
    assertTrue(e.getMessage().startsWith("refusing to write a private file into " + shared.toRealPath() + ": "),
        e.getMessage());
    assertTrue(e.getMessage().contains("writable by group or others"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    assertEquals(List.of(), list(shared));
  }

  @Tag("security")
  @Test
  void aPrivateFileIsRefusedBelowADirectoryOthersCanWrite() throws Exception {
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Path inner = Files.createDirectory(shared.resolve("inner"));
    Files.setAttribute(shared, "unix:mode", 0777);
    IOException e = assertThrows(IOException.class,
        () -> AtomicFiles.write(inner.resolve("key.pem"), "secret".getBytes(), AtomicFiles.PRIVATE));
    assertTrue(e.getMessage().contains(": " + shared.toRealPath() + " is writable by group or others (mode 0777)"),
        e.getMessage());
    assertEquals(List.of(), list(inner));
  }

  @Tag("security")
  @Test
  void aPrivateFileIsRefusedInADirectoryOwnedByAnotherUser() throws Exception {
    assumeTrue(Posix.effectiveUid().orElse(-1) == 0, "only root can give a directory to another user");
    Path theirs = Files.createDirectory(dir.resolve("theirs"));
    Files.setAttribute(theirs, "unix:uid", 65534);
    IOException e = assertThrows(IOException.class,
        () -> AtomicFiles.write(theirs.resolve("key.pem"), "secret".getBytes(), AtomicFiles.PRIVATE));
    assertTrue(e.getMessage().contains("owned by uid 65534"), e.getMessage());
    assertEquals(List.of(), list(theirs));
  }

  @Test
  void publicFilesMayGoIntoSharedDirectories() throws Exception {
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Files.setAttribute(shared, "unix:mode", 01777);
    AtomicFiles.write(shared.resolve("cert.pem"), "cert".getBytes(), AtomicFiles.PUBLIC);
    assertEquals("cert", Files.readString(shared.resolve("cert.pem")));
  }

  @Tag("security")
  @Test
  void aTemporaryFileSwappedForALinkIsNeverRenamedIntoPlace() throws Exception {
    Path target = dir.resolve("key.pem");
    AtomicFiles.write(target, "old".getBytes(), AtomicFiles.PUBLIC);
    Path victim = victim();
    assertThrows(IOException.class,
        () -> AtomicFiles.write(target, "new".getBytes(), AtomicFiles.PUBLIC, file -> swapTemporaryFor(victim)));
    assertUntouched(victim);
    assertFalse(Files.isSymbolicLink(target));
    assertEquals("old", Files.readString(target));
  }

  @Tag("security")
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void neitherWayOfWritingGoesThroughASwappedLink(boolean useDescriptor) throws Exception {
    Path target = dir.resolve("key.pem");
    Path victim = victim();
    assertThrows(IOException.class, () -> AtomicFiles.write(target, AtomicFiles.PRIVATE,
        out -> out.write("new".getBytes()), file -> swapTemporaryFor(victim), useDescriptor));
    assertUntouched(victim);
    assertFalse(Files.exists(target, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void aLinkAtTheTargetIsReplacedNotFollowed() throws Exception {
    Path target = dir.resolve("key.pem");
    Path victim = victim();
    Files.createSymbolicLink(target, victim);
    AtomicFiles.write(target, "new".getBytes(), AtomicFiles.PRIVATE);
    assertFalse(Files.isSymbolicLink(target));
    assertEquals("new", Files.readString(target));
    assertUntouched(victim);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void modesAreExactWhateverTheUmask(boolean useDescriptor) throws Exception {
    assumeTrue(Posix.available(), "needs umask(2)");
    int old = Posix.umask(077).orElseThrow();
    try {
      for (String mode : List.of("rw-r--r--", "rw-r-----", "rw-------", "r--------")) {
        Path f = dir.resolve(mode.replace('-', '_'));
        AtomicFiles.write(f, PosixFilePermissions.fromString(mode), out -> out.write('x'), file -> { }, useDescriptor);
        assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
      }
      Posix.umask(0);
      Path open = dir.resolve("private-with-no-umask");
      AtomicFiles.write(open, AtomicFiles.PRIVATE, out -> out.write('x'), file -> { }, useDescriptor);
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(open)));
    } finally {
      Posix.umask(old);
    }
  }

  /** A file outside the folder that an attacker would like to receive the content or its mode. */
  private Path victim() throws IOException {
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    Path victim = elsewhere.resolve("victim");
    Files.writeString(victim, "victim");
    Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
    return victim;
  }

  private static void assertUntouched(Path victim) throws IOException {
    assertEquals("victim", Files.readString(victim));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(victim)));
  }

  /** What someone who can write the folder could do: move the temporary file away, plant a link. */
  private void swapTemporaryFor(Path victim) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith(".key.pem.tmp-")).toList()) {
        Files.move(p, dir.resolve("moved-away"));
        Files.createSymbolicLink(p, victim);
      }
    }
  }

  private static List<String> list(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).toList();
    }
  }
}
