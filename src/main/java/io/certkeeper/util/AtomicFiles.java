package io.certkeeper.util;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Writes files so that a crash or kill at any moment leaves either the old or the new content:
 * the bytes go to a temporary file in the same folder, which is fsynced, renamed over the target,
 * and then the folder is fsynced so the rename itself is durable.
 *
 * <p>The temporary file has an unpredictable name and is created exclusively, so nothing planted
 * at its name (a symbolic link, a hard link, a FIFO) is ever opened. It is created with the final
 * permissions, which the umask can only narrow, so it is never readable by more users than the
 * target, not even for a moment; its mode and owner are then set exactly through the open file
 * ({@code fchmod} on the descriptor, {@code /proc/self/fd}), never by name. Before the rename the
 * name is checked to still be the file that was written.
 *
 * <p>A <em>private</em> file (one whose permissions give nothing to others: keys, passwords,
 * backups) is only written into a directory no other user can change: the directory and each of its
 * ancestors must be owned by root or by this user and not writable by group or others; an ancestor
 * (not the directory itself) may be world-writable when it is root-owned and sticky, like {@code
 * /tmp}. This is the rule OpenSSH's {@code StrictModes} applies to {@code ~/.ssh}. A directory's
 * owner is trusted with what is in it.
 */
public final class AtomicFiles {
  /** Owner read/write only: private keys, passwords. */
  public static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
  /** Owner read/write, everyone read: certificates, CRLs. */
  public static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");
  /** Missing parent folders are created with these permissions (narrowed by the umask). */
  static final Set<PosixFilePermission> NEW_DIRECTORY = PosixFilePermissions.fromString("rwxr-xr-x");

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int STICKY = 01000;
  private static final int GROUP_OR_OTHERS_WRITE = 0022;
  private static final boolean PROC_FD = Files.isDirectory(Path.of("/proc/self/fd"));

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
    write(target, permissions, content, file -> { });
  }

  /**
   * Work on the new, still empty temporary file before anything is written to it (e.g. its owner).
   * {@code file} acts on the open file itself, not on whatever its name points to later.
   */
  @FunctionalInterface
  public interface BeforeRename {
    void apply(PosixFileAttributeView file) throws IOException;
  }

  /**
   * As {@link #write(Path, byte[], Set)}, running {@code beforeRename} on the temporary file first,
   * so that the target never appears with other attributes (such as its owner).
   */
  public static void write(Path target, byte[] content, Set<PosixFilePermission> permissions,
      BeforeRename beforeRename) throws IOException {
    write(target, permissions, out -> out.write(content), beforeRename);
  }

  /**
   * Like {@link #write} but refuses to replace an existing file, also when another process creates
   * it at the same moment (the complete temporary file is hard-linked to the name).
   *
   * @throws FileAlreadyExistsException when {@code target} exists
   */
  public static void create(Path target, byte[] content, Set<PosixFilePermission> permissions)
      throws IOException {
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(target.toString());
    }
    write(target, permissions, out -> out.write(content), file -> { }, true, true);
  }

  /** Whether {@code permissions} give nothing to others: such a file needs a private directory. */
  public static boolean isPrivate(Set<PosixFilePermission> permissions) {
    return !permissions.contains(PosixFilePermission.OTHERS_READ)
        && !permissions.contains(PosixFilePermission.OTHERS_WRITE)
        && !permissions.contains(PosixFilePermission.OTHERS_EXECUTE);
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

  private static void write(Path target, Set<PosixFilePermission> permissions, Content content,
      BeforeRename beforeRename) throws IOException {
    write(target, permissions, content, beforeRename, true);
  }

  /**
   * The one way files are written: check the folder, create the temp file, set its mode and run
   * {@code beforeRename} through it, write, fsync, check the name still holds it, rename, fsync the
   * folder. {@code useDescriptor} false takes the path used where the C library is not bound.
   */
  static void write(Path target, Set<PosixFilePermission> permissions, Content content,
      BeforeRename beforeRename, boolean useDescriptor) throws IOException {
    write(target, permissions, content, beforeRename, useDescriptor, false);
  }

  /** As above; {@code exclusive} refuses an existing target (see {@link #create}). */
  private static void write(Path target, Set<PosixFilePermission> permissions, Content content,
      BeforeRename beforeRename, boolean useDescriptor, boolean exclusive) throws IOException {
    Path given = target.toAbsolutePath().getParent();
    boolean posix = supportsPosix(given);
    if (!Files.isDirectory(given)) {
      if (posix) {
        Files.createDirectories(given, PosixFilePermissions.asFileAttribute(NEW_DIRECTORY));
      } else {
        Files.createDirectories(given);
      }
    }
    // From here on only the checked, resolved folder is used: a symbolic link on the way cannot be
    // re-pointed between the check and the writes.
    Path dir = given.toRealPath();
    if (posix && isPrivate(permissions)) {
      requirePrivateDirectory(dir);
    }
    Path temp = dir.resolve("." + target.getFileName() + ".tmp-" + randomSuffix());
    try {
      try (TempFile file = TempFile.create(temp, permissions, posix, useDescriptor)) {
        if (posix) {
          beforeRename.apply(file.view);
        }
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(file.channel), 64 * 1024);
        content.writeTo(out);
        out.flush();
        file.channel.force(true);
        file.requireStillNamed();
      }
      Path name = dir.resolve(target.getFileName());
      if (exclusive) {
        // A hard link appears atomically and fails when the name exists: two processes creating
        // the same file at once cannot both win.
        try {
          Files.createLink(name, temp);
        } catch (FileAlreadyExistsException e) {
          throw e;
        } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
          // no hard links on this file system: a plain move, which refuses an existing target
          Files.move(temp, name);
        }
      } else {
        try {
          Files.move(temp, name, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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
   * Throws unless no user but root and this one can change what is in {@code dir}: see the class
   * comment for the rule.
   */
  static void requirePrivateDirectory(Path dir) throws IOException {
    Path real = dir.toRealPath();
    Optional<Integer> me = Posix.effectiveUid();
    boolean unix = real.getFileSystem().supportedFileAttributeViews().contains("unix");
    for (Path p = real; p != null; p = p.getParent()) {
      int mode;
      int uid;
      if (unix) {
        mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      } else {
        mode = mode(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
        uid = 0; // owner unknown; the mode check below still holds
      }
      String which = p.equals(real) ? "the directory" : p.toString();
      if (uid != 0 && me.isPresent() && uid != me.get()) {
        throw new IOException(String.format(Locale.ROOT,
            "refusing to write a private file into %s: %s is owned by uid %d, not by root or this user (uid %d)",
            real, which, uid, me.get()));
      }
      boolean writableByOthers = (mode & GROUP_OR_OTHERS_WRITE) != 0;
      boolean rootSticky = uid == 0 && (mode & STICKY) != 0 && unix;
      if (writableByOthers && (p.equals(real) || !rootSticky)) {
        throw new IOException(String.format(Locale.ROOT,
            "refusing to write a private file into %s: %s is writable by group or others (mode %04o); "
                + "make it writable by its owner only (chmod go-w %s)", real, which, mode, p));
      }
    }
  }

  /** The new temporary file, open for writing, with a handle on it that its name cannot redirect. */
  private static final class TempFile implements Closeable {
    private final Path name;
    private final FileChannel channel;
    private final OptionalInt fd;
    /** Acts on the open file: through {@code /proc/self/fd}, or by name without following links. */
    private final PosixFileAttributeView view;
    private final Object key;

    private TempFile(Path name, FileChannel channel, OptionalInt fd, PosixFileAttributeView view, Object key) {
      this.name = name;
      this.channel = channel;
      this.fd = fd;
      this.view = view;
      this.key = key;
    }

    static TempFile create(Path name, Set<PosixFilePermission> permissions, boolean posix, boolean useDescriptor)
        throws IOException {
      OptionalInt fd = posix && useDescriptor && PROC_FD
          ? Posix.createExclusive(name, mode(permissions)) : OptionalInt.empty();
      if (fd.isPresent()) {
        try {
          // The kernel resolves /proc/self/fd/N to the open file itself, whatever its name is now.
          Path self = Path.of("/proc/self/fd/" + fd.getAsInt());
          Posix.fchmod(fd.getAsInt(), mode(permissions));
          FileChannel channel = FileChannel.open(self, StandardOpenOption.WRITE);
          Object key = Files.readAttributes(self, BasicFileAttributes.class).fileKey();
          return new TempFile(name, channel, fd, Files.getFileAttributeView(self, PosixFileAttributeView.class), key);
        } catch (IOException | RuntimeException e) {
          Posix.close(fd.getAsInt());
          throw e;
        }
      }
      Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
      FileAttribute<?>[] attrs = posix
          ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)} : new FileAttribute<?>[0];
      FileChannel channel = FileChannel.open(name, options, attrs);
      try {
        BasicFileAttributes a = Files.readAttributes(name, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        // Without a descriptor call, mode and owner are set by name, never following a link (the
        // JDK opens with O_NOFOLLOW and uses fchmod, lchown), after checking the name still holds
        // the file just created.
        PosixFileAttributeView view = Files.getFileAttributeView(name, PosixFileAttributeView.class,
            LinkOption.NOFOLLOW_LINKS);
        TempFile t = new TempFile(name, channel, OptionalInt.empty(), view, a.fileKey());
        if (posix) {
          t.requireStillNamed();
          view.setPermissions(permissions);
        }
        return t;
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    }

    /** Throws unless {@link #name} is still the regular file this object wrote. */
    void requireStillNamed() throws IOException {
      BasicFileAttributes a = Files.readAttributes(name, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!a.isRegularFile() || !Objects.equals(a.fileKey(), key)) {
        throw new IOException(name + ": the temporary file was replaced while it was being written; "
            + "someone else can write to " + name.getParent());
      }
    }

    @Override
    public void close() throws IOException {
      try {
        channel.close();
      } finally {
        fd.ifPresent(Posix::close);
      }
    }
  }

  private static boolean isUnsupportedDirectorySync(IOException e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("Is a directory") || m.contains("Invalid argument");
  }

  static int mode(Set<PosixFilePermission> permissions) {
    int mode = 0;
    for (PosixFilePermission p : permissions) {
      mode |= 0400 >> p.ordinal();
    }
    return mode;
  }

  private static boolean supportsPosix(Path dir) {
    return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static String randomSuffix() {
    byte[] b = new byte[12];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
