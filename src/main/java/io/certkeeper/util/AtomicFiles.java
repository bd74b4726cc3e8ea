package io.certkeeper.util;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * Writes files so that a crash or kill at any moment leaves either the old or the new content:
 * the bytes go to a temporary file in the same folder (created with the final permissions, so a
 * key is never readable by others, not even for a moment), which is fsynced, renamed over the
 * target, and then the folder is fsynced so the rename itself is durable.
 */
public final class AtomicFiles {
  /** Owner read/write only: private keys, passwords. */
  public static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
  /** Owner read/write, everyone read: certificates, CRLs. */
  public static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");

  private static final SecureRandom RANDOM = new SecureRandom();

  private AtomicFiles() {}

  /** Atomically replaces {@code target} with {@code content}, with the given permissions. */
  public static void write(Path target, byte[] content, Set<PosixFilePermission> permissions)
      throws IOException {
    write(target, permissions, out -> out.write(content));
  }

  /** Content written to a stream, for files too large to hold in memory. */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Atomically replaces {@code target} with what {@code content} writes, with the given permissions.
   * When {@code content} throws, the target is untouched and the temporary file is removed.
   */
  public static void write(Path target, Set<PosixFilePermission> permissions, Content content)
      throws IOException {
    write(target, permissions, content, temp -> { });
  }

  /** Work on the finished temporary file before it is renamed into place (e.g. its owner). */
  @FunctionalInterface
  public interface BeforeRename {
    void apply(Path temp) throws IOException;
  }

  /**
   * As {@link #write(Path, byte[], Set)}, running {@code beforeRename} on the complete temporary
   * file first, so that the target never appears with other attributes (such as its owner).
   */
  public static void write(Path target, byte[] content, Set<PosixFilePermission> permissions,
      BeforeRename beforeRename) throws IOException {
    write(target, permissions, out -> out.write(content), beforeRename);
  }

  /** The one way files are written: temp, fsync, {@code beforeRename}, rename, fsync the folder. */
  private static void write(Path target, Set<PosixFilePermission> permissions, Content content,
      BeforeRename beforeRename) throws IOException {
    write(target, permissions, content, beforeRename, false);
  }

  private static void write(Path target, Set<PosixFilePermission> permissions, Content content,
      BeforeRename beforeRename, boolean exclusive) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = dir.resolve("." + target.getFileName() + ".tmp-" + randomSuffix());
    try {
      createWith(temp, permissions);
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 64 * 1024);
        content.writeTo(out);
        out.flush();
        ch.force(true);
      }
      beforeRename.apply(temp);
      if (exclusive) {
        // A hard link appears atomically and fails when the name exists: two processes creating
        // the same file at once cannot both win.
        try {
          Files.createLink(target, temp);
        } catch (FileAlreadyExistsException e) {
          throw e;
        } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
          // no hard links on this file system: a plain move, which refuses an existing target
          Files.move(temp, target);
        }
      } else {
        try {
          Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          throw new IOException("cannot rename atomically into " + dir, e);
        }
      }
      fsyncDirectory(dir);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * Like {@link #write} but refuses to replace an existing file, also when another process creates
   * it at the same moment (the complete temporary file is hard-linked to the name).
   *
   * @throws FileAlreadyExistsException when {@code target} exists
   */
  public static void create(Path target, byte[] content, Set<PosixFilePermission> permissions)
      throws IOException {
    if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(target.toString());
    }
    write(target, permissions, out -> out.write(content), temp -> { }, true);
  }

  /** Makes a completed rename or file creation in {@code dir} durable. */
  public static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some file systems do not allow opening a directory; the rename is still atomic there.
      if (!isUnsupportedDirectorySync(e)) {
        throw e;
      }
    }
  }

  private static boolean isUnsupportedDirectorySync(IOException e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("Is a directory") || m.contains("Invalid argument");
  }

  private static void createWith(Path file, Set<PosixFilePermission> permissions) throws IOException {
    if (supportsPosix(file.getParent())) {
      FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(permissions);
      Files.createFile(file, attr);
      // The umask may have removed bits we asked for; never adds any we did not.
      Files.setPosixFilePermissions(file, permissions);
    } else {
      Files.createFile(file);
    }
  }

  private static boolean supportsPosix(Path dir) {
    return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static String randomSuffix() {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
