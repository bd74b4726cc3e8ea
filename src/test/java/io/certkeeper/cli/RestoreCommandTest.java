package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.ExternalTool;
import io.certkeeper.util.Json;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code certkeeper restore} in-process: a backup of a data directory with a store, a CA folder
 * and a managed certificate restores whole and owner-only, and an archive that is tampered with,
 * escapes its folder, holds a link or inflates beyond the bounds is refused with nothing written.
 */
@Tag("reliability")
class RestoreCommandTest {
  @TempDir Path dir;
  Path data;
  Path backup;

  @BeforeEach
  void backUpADataDirectory() throws Exception {
    data = dir.resolve("data");
    assertEquals(0, CliRunner.run("--data-dir", data.toString(), "endpoint", "add", "a.example:443").exitCode());
    Files.createDirectories(data.resolve("ca"));
    Files.writeString(data.resolve("ca/root.pem"), "root\n");
    Files.writeString(data.resolve("ca/root.key.pem"), "encrypted key\n");
    for (String serial : List.of("1a", "2b")) {
      Path g = Files.createDirectories(data.resolve("managed/web/generations/" + serial));
      for (String f : ManagedCopy.GENERATION_FILES) {
        Files.writeString(g.resolve(f), f + " of " + serial + "\n");
      }
    }
    Files.createDirectories(data.resolve("managed/web/generations/.3c.tmp")); // a renewal in progress
    Files.createSymbolicLink(data.resolve("managed/web/current"), Path.of("generations", "2b"));
    backup = dir.resolve("b.zip");
    CliRunner.Run r = CliRunner.run("--data-dir", data.toString(), "backup", "--out", backup.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains(", 2 CA files and 1 managed certificates (2 generations)"), r.out());
  }

  @AfterEach
  void closeTheStoresThisJvmOpened() throws Exception {
    InProcessStores.shutDownAll(dir);
  }

  private static CliRunner.Run restore(Path into, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("--data-dir", into.toString(), "restore"));
    args.addAll(List.of(more));
    return CliRunner.run(args.toArray(String[]::new));
  }

  private CliRunner.Run restore(Path into, Path from) {
    return restore(into, "--from", from.toString());
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }

  /** The backup's entries, in order. */
  private Map<String, byte[]> entries() throws Exception {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(backup))) {
      ZipEntry e;
      while ((e = in.getNextEntry()) != null) {
        out.put(e.getName(), in.readAllBytes());
      }
    }
    return out;
  }

  private static Path zip(Path to, Map<String, byte[]> entries) throws Exception {
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(to))) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue());
        z.closeEntry();
      }
    }
    return to;
  }

  /** The backup with one file added, listed in the manifest with its true size and digest. */
  private Path withListedFile(String name, byte[] content) throws Exception {
    Map<String, byte[]> e = entries();
    byte[] manifest = e.remove(BackupArchive.MANIFEST);
    e.put(name, content);
    var m = (com.fasterxml.jackson.databind.node.ObjectNode) Json.mapper().readTree(manifest);
    m.withArray("files").addObject().put("path", name).put("size", content.length)
        .put("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
    e.put(BackupArchive.MANIFEST, Json.mapper().writeValueAsBytes(m));
    return zip(dir.resolve("changed.zip"), e);
  }

  private Path withManifest(UnaryOperator<String> edit) throws Exception {
    Map<String, byte[]> e = entries();
    e.put(BackupArchive.MANIFEST, edit.apply(new String(e.get(BackupArchive.MANIFEST), StandardCharsets.UTF_8))
        .getBytes(StandardCharsets.UTF_8));
    return zip(dir.resolve("changed.zip"), e);
  }

  private static void assertRefused(CliRunner.Run r, String line, Path into) {
    assertEquals(1, r.exitCode(), r.out() + r.err());
    assertTrue(r.err().contains(line), r.err());
    assertTrue(r.err().contains("nothing was changed"), r.err());
    assertFalse(Files.exists(into), "nothing written");
    try (Stream<Path> s = Files.list(into.getParent())) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".restore-")), "temporary folder left");
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void restoresTheStoreTheCaAndEveryManagedGenerationOwnerOnlyWithTheCurrentLink() throws Exception {
    Path fresh = dir.resolve("fresh");
    CliRunner.Run r = restore(fresh, backup);
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().startsWith("restored " + backup + " into " + fresh + ": the store (schema "), r.out());
    assertTrue(r.out().contains("1 managed certificates (2 generations)"), r.out());

    assertTrue(Files.isSymbolicLink(fresh.resolve("managed/web/current")));
    assertEquals(Path.of("generations/2b"), Files.readSymbolicLink(fresh.resolve("managed/web/current")));
    assertEquals("key.pem of 2b\n", Files.readString(fresh.resolve("managed/web/current/key.pem")));
    assertEquals("cert.pem of 1a\n", Files.readString(fresh.resolve("managed/web/generations/1a/cert.pem")));
    assertFalse(Files.exists(fresh.resolve("managed/web/generations/.3c.tmp")), "a renewal's temporary is no backup");
    assertEquals(Files.readString(data.resolve("store.secret")), Files.readString(fresh.resolve("store.secret")));
    assertEquals("encrypted key\n", Files.readString(fresh.resolve("ca/root.key.pem")));
    try (Stream<Path> all = Files.walk(fresh)) {
      for (Path p : all.toList()) {
        if (Files.isSymbolicLink(p)) {
          continue;
        }
        assertEquals(Files.isDirectory(p) ? "rwx------" : "rw-------", mode(p), p.toString());
      }
    }
    CliRunner.Run list = CliRunner.run("--data-dir", fresh.toString(), "endpoint", "list", "--json");
    assertEquals(0, list.exitCode(), list.err());
    assertTrue(list.out().contains("a.example:443"), list.out());
  }

  @Test
  void aNonEmptyDataDirIsRefusedWithoutForceAndLeftAsItWas() throws Exception {
    Path target = Files.createDirectories(dir.resolve("target"));
    Files.writeString(target.resolve("notes.txt"), "mine\n");
    CliRunner.Run r = restore(target, backup);
    assertEquals(1, r.exitCode(), r.out());
    assertEquals("certkeeper: " + target + " is not empty (1 entries): restore into an empty or new directory, or"
        + " give --force to move its contents aside; nothing was changed\n", r.err());
    try (Stream<Path> s = Files.list(target)) {
      assertEquals(List.of(target.resolve("notes.txt")), s.toList());
    }
    try (Stream<Path> s = Files.list(dir)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().contains("restore")), "nothing next to it either");
    }
  }

  @Test
  void withForceTheOldContentsAreMovedAsideNotDeleted() throws Exception {
    Path target = Files.createDirectories(dir.resolve("target"));
    Files.writeString(target.resolve("notes.txt"), "mine\n");
    CliRunner.Run r = restore(target, "--from", backup.toString(), "--force");
    assertEquals(0, r.exitCode(), r.err());
    Path aside;
    try (Stream<Path> s = Files.list(dir)) {
      aside = s.filter(p -> p.getFileName().toString().startsWith("target.before-restore-")).findFirst().orElseThrow();
    }
    assertTrue(r.out().contains("the previous contents of target are in " + aside), r.out());
    assertEquals("mine\n", Files.readString(aside.resolve("notes.txt")));
    assertFalse(Files.exists(target.resolve("notes.txt")));
    assertTrue(Files.isRegularFile(target.resolve("certkeeper.mv.db")));
    assertEquals("rwx------", mode(target));
  }

  @Test
  void anEmptyDataDirIsReplaced() throws Exception {
    Path target = Files.createDirectories(dir.resolve("empty"));
    CliRunner.Run r = restore(target, backup);
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(Files.isRegularFile(target.resolve("certkeeper.mv.db")));
    assertEquals("rwx------", mode(target));
  }

  @Test
  @SuppressWarnings("try") // the store is held open while restore runs
  void aStoreOpenInAnotherProcessIsRefusedEvenWithForce() throws Exception {
    // this JVM holds the source store open while restore runs
    CliRunner.Run r;
    try (io.certkeeper.store.Store open = io.certkeeper.store.Store.openEmbedded(data, 2)) {
      r = restore(data, "--from", backup.toString(), "--force");
    }
    assertEquals(1, r.exitCode(), r.out());
    assertEquals("certkeeper: the store in " + data + " is open in another process (a process holds the lock of "
        + data.toAbsolutePath().normalize().resolve("certkeeper.mv.db")
        + "): stop the daemon, then restore; nothing was changed\n", r.err());
    assertTrue(r.err().contains("stop the daemon, then restore; nothing was changed"), r.err());
    assertTrue(Files.isDirectory(data.resolve("managed/web/generations/.3c.tmp")), "untouched");
  }

  @Test
  void aServerFileLeftByADaemonKilledDeadDoesNotBlockARestore() throws Exception {
    Path target = Files.createDirectories(dir.resolve("target"));
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Files.writeString(target.resolve(io.certkeeper.store.StoreServer.FILE), "port=" + port
        + "\nkey=0123456789abcdef0123456789abcdef\npid=" + gone.pid() + "\n");
    CliRunner.Run r = restore(target, "--from", backup.toString(), "--force");
    assertEquals(0, r.exitCode(), r.err());
  }

  @Test
  void checkOnlyChangesNothing() throws Exception {
    Path target = Files.createDirectories(dir.resolve("target"));
    Files.writeString(target.resolve("notes.txt"), "mine\n");
    CliRunner.Run r = restore(target, "--from", backup.toString(), "--check", "--force");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().startsWith(backup + " is intact: the store (schema "), r.out());
    assertTrue(r.out().endsWith(target + " can take it (its contents would be moved aside)\n"), r.out());
    try (Stream<Path> s = Files.list(target)) {
      assertEquals(List.of(target.resolve("notes.txt")), s.toList());
    }
  }

  @Test
  void aTamperedEntryIsRefusedByItsDigest() throws Exception {
    Map<String, byte[]> e = entries();
    e.put("managed/web/generations/2b/key.pem", "key.pem of 2c\n".getBytes(StandardCharsets.US_ASCII)); // same size
    Path tampered = zip(dir.resolve("tampered.zip"), e);
    Path fresh = dir.resolve("fresh");
    CliRunner.Run r = restore(fresh, tampered);
    assertRefused(r, "certkeeper: tampered.zip: entry managed/web/generations/2b/key.pem: SHA-256 ", fresh);
    assertTrue(r.err().contains(" (tampered or damaged)\n"), r.err());
  }

  @Test
  void aTruncatedEntryIsRefusedByItsSize() throws Exception {
    Map<String, byte[]> e = entries();
    e.put("ca/root.pem", "ro".getBytes(StandardCharsets.US_ASCII));
    Path fresh = dir.resolve("fresh");
    assertRefused(restore(fresh, zip(dir.resolve("short.zip"), e)),
        "certkeeper: short.zip: entry ca/root.pem: 2 bytes, the manifest says 5 (tampered or damaged)", fresh);
  }

  @Test
  void pathTraversalIsRefusedEvenWhenTheManifestListsIt() throws Exception {
    Path fresh = dir.resolve("fresh");
    assertRefused(restore(fresh, withListedFile("ca/../../evil", "x".getBytes(StandardCharsets.US_ASCII))),
        "certkeeper: changed.zip: entry 'ca/../../evil': a '..' segment (path traversal)", fresh);
    assertFalse(Files.exists(dir.resolve("evil")));
    assertRefused(restore(fresh, withListedFile("/tmp/evil", "x".getBytes(StandardCharsets.US_ASCII))),
        "certkeeper: changed.zip: entry '/tmp/evil': an absolute path", fresh);
  }

  @Test
  void anEntryOutsideTheKnownLayoutIsRefused() throws Exception {
    Path fresh = dir.resolve("fresh");
    assertRefused(restore(fresh, withListedFile("hooks/run.sh", "#!/bin/sh\n".getBytes(StandardCharsets.US_ASCII))),
        "certkeeper: changed.zip: entry hooks/run.sh: unknown (not the store, its password, ca/ or a managed"
            + " generation)", fresh);
    Map<String, byte[]> e = entries();
    e.put("ca/unlisted.pem", new byte[] {1});
    assertRefused(restore(fresh, zip(dir.resolve("unlisted.zip"), e)),
        "certkeeper: unlisted.zip: entry ca/unlisted.pem: not listed in the manifest", fresh);
  }

  @Test
  void aSymbolicLinkInTheArchiveIsRefused() throws Exception {
    Path work = Files.createDirectories(dir.resolve("work/ca"));
    Files.createSymbolicLink(work.resolve("escape"), Path.of("/etc/passwd"));
    Path linked = dir.resolve("linked.zip");
    Files.copy(backup, linked);
    ExternalTool.Result z = ExternalTool.run(dir.resolve("work"), "zip", "-q", "--symlinks", linked.toString(),
        "ca/escape");
    assertTrue(z.ok(), z.output());
    Path fresh = dir.resolve("fresh");
    assertRefused(restore(fresh, linked),
        "certkeeper: linked.zip: entry ca/escape: a symbolic link (a backup holds regular files only)", fresh);
  }

  @Test
  void aLinkInTheManifestThatLeavesItsFolderIsRefused() throws Exception {
    Path fresh = dir.resolve("fresh");
    assertRefused(restore(fresh, withManifest(m -> m.replace("\"generations/2b\"", "\"../../../etc\""))),
        "certkeeper: changed.zip: certkeeper-backup.json: link managed/web/current points at '../../../etc', not at"
            + " generations/SERIAL", fresh);
  }

  @Test
  void anEntryThatInflatesBeyondTheBoundIsRefusedWhateverItsHeaderSays() throws Exception {
    byte[] big = new byte[(int) RestoreArchive.Limits.DEFAULT.maxFileBytes() + 1]; // zeros: a few kilobytes zipped
    Path fresh = dir.resolve("fresh");
    CliRunner.Run r = restore(fresh, withListedFile("ca/big.pem", big));
    assertRefused(r, "certkeeper: changed.zip: entry ca/big.pem: " + big.length + " bytes, more than the "
        + RestoreArchive.Limits.DEFAULT.maxFileBytes() + " allowed", fresh);

    // the same entry with a central directory that claims 1 byte: counted while inflating
    Path lying = dir.resolve("lying.zip");
    byte[] z = Files.readAllBytes(dir.resolve("changed.zip"));
    patchCentralSize(z, "ca/big.pem", 1);
    Files.write(lying, z);
    assertRefused(restore(fresh, lying), "certkeeper: lying.zip: entry ca/big.pem: inflates to more than the "
        + RestoreArchive.Limits.DEFAULT.maxFileBytes() + " bytes allowed (a zip bomb?)", fresh);
  }

  @Test
  void tooManyEntriesAreRefusedBeforeAnyIsRead() throws Exception {
    RestoreArchive.Refused e = assertThrows(RestoreArchive.Refused.class,
        () -> RestoreArchive.check(backup, new RestoreArchive.Limits(5, 1 << 30, 1 << 20, 1L << 31)));
    assertEquals(List.of(backup + ": 13 entries, more than the 5 a backup may hold"), e.problems());
  }

  @Test
  void anArchiveWithoutAManifestOrNotAZipIsRefused() throws Exception {
    Map<String, byte[]> e = entries();
    e.remove(BackupArchive.MANIFEST);
    Path fresh = dir.resolve("fresh");
    assertRefused(restore(fresh, zip(dir.resolve("bare.zip"), e)),
        "certkeeper: bare.zip: no certkeeper-backup.json: not a certkeeper backup, or cut short", fresh);
    Path text = Files.writeString(dir.resolve("notes.zip"), "not a zip at all, but long enough to look\n");
    assertRefused(restore(fresh, text), "certkeeper: notes.zip: " + text + ": not a zip file (no end of central"
        + " directory)", fresh);
  }

  /** Sets the uncompressed size the central directory records for {@code name}. */
  private static void patchCentralSize(byte[] zip, String name, int size) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i + 46 + n.length <= zip.length; i++) {
      if (zip[i] == 0x50 && zip[i + 1] == 0x4b && zip[i + 2] == 0x01 && zip[i + 3] == 0x02
          && java.util.Arrays.equals(zip, i + 46, i + 46 + n.length, n, 0, n.length)) {
        zip[i + 24] = (byte) size;
        zip[i + 25] = (byte) (size >> 8);
        zip[i + 26] = (byte) (size >> 16);
        zip[i + 27] = (byte) (size >> 24);
        return;
      }
    }
    throw new AssertionError(name + " not in the central directory");
  }
}
