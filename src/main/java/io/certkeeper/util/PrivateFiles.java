package io.certkeeper.util;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps a directory tree private to its owner: everything below the data directory is owner-only
 * (files 0600, directories 0700, or less), whatever mode the directory itself was created with.
 * The process's umask ({@link Posix#umask}) makes new files private; {@link #restrict} fixes files
 * made before that (by an earlier version, a restore, or a run without the C library).
 */
public final class PrivateFiles {
  /** The bits that give a group or everyone else access. */
  static final Set<PosixFilePermission> OTHERS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private PrivateFiles() {}

  /**
   * What {@link #restrict} did.
   *
   * @param changed files and directories whose group/other bits were removed
   * @param failed ones that could not be changed (owned by another user, a read-only file system)
   * @param firstFailure the first of those, with the reason
   */
  public record Restricted(int changed, int failed, Optional<String> firstFailure) {}

  /**
   * Removes the group and other permission bits from every file and directory below {@code root}
   * (not {@code root} itself: its mode is the administrator's, see {@link #accessibleToOthers}).
   * Symbolic links are neither followed nor changed, so the walk never leaves {@code root}. Does
   * nothing where the file system has no POSIX permissions or {@code root} does not exist.
   */
  public static Restricted restrict(Path root) throws IOException {
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS) || !supportsPosix(root)) {
      return new Restricted(0, 0, Optional.empty());
    }
    int[] counts = new int[2];
    String[] first = new String[1];
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        if (!dir.equals(root)) {
          fix(dir);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (attrs.isRegularFile()) {
          fix(file);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) {
        failed(file, e);
        return FileVisitResult.CONTINUE;
      }

      private void fix(Path p) {
        try {
          Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
          if (perms.removeAll(OTHERS)) {
            Files.setPosixFilePermissions(p, perms);
            counts[0]++;
          }
        } catch (IOException | RuntimeException e) {
          failed(p, e);
        }
      }

      private void failed(Path p, Exception e) {
        if (counts[1]++ == 0) {
          first[0] = p + ": " + e.getMessage();
        }
      }
    });
    return new Restricted(counts[0], counts[1], Optional.ofNullable(first[0]));
  }

  /**
   * The mode of {@code dir} in octal (e.g. {@code 0755}) when a group or everyone else may enter,
   * read or write it; empty when it is owner-only, missing, or the file system has no POSIX modes.
   */
  public static Optional<String> accessibleToOthers(Path dir) throws IOException {
    if (!Files.isDirectory(dir) || !supportsPosix(dir)) {
      return Optional.empty();
    }
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
    for (PosixFilePermission p : perms) {
      if (OTHERS.contains(p)) {
        return Optional.of(octal(perms));
      }
    }
    return Optional.empty();
  }

  /** {@code perms} as four octal digits, e.g. {@code 0750}. */
  public static String octal(Set<PosixFilePermission> perms) {
    int mode = 0;
    for (PosixFilePermission p : perms) {
      mode |= 1 << (8 - p.ordinal());
    }
    return String.format(java.util.Locale.ROOT, "%04o", mode);
  }

  private static boolean supportsPosix(Path p) {
    return p.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}
