package io.certkeeper.util;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The few POSIX calls the JDK does not offer, through JNA's binding of the C library: the file
 * creation mask, {@code prctl(PR_SET_CHILD_SUBREAPER)}, {@code waitpid} for processes the JDK did
 * not start, and an exclusive {@code open} plus {@code fchmod} so a new file's mode is set through
 * its descriptor rather than by name. Every call is best effort: where the C library cannot be bound (JNA's native part
 * missing, a platform other than Linux) {@link #available()} is false and the calls report that
 * they did nothing, so callers fall back to what the JDK can do.
 */
public final class Posix {
  private static final int PR_SET_CHILD_SUBREAPER = 36;
  private static final int WNOHANG = 1;
  /** open(2) flags; the same values on every architecture listed in {@link #OPEN_FLAGS_KNOWN}. */
  private static final int O_WRONLY = 01;
  private static final int O_CREAT = 0100;
  private static final int O_EXCL = 0200;
  private static final int O_CLOEXEC = 02000000;
  private static final int EEXIST = 17;
  /** Architectures whose open(2) flag values are the generic ones above. */
  private static final Set<String> OPEN_FLAGS_KNOWN =
      Set.of("amd64", "x86_64", "aarch64", "arm64", "riscv64", "ppc64le", "s390x");

  private Posix() {}

  /**
   * The binding, made when a call first needs it: loading JNA and its native part costs a command
   * that never calls into the C library (or finds its umask already right) a good part of its start.
   */
  private static final class Bound {
    static final LibC LIBC = load();
  }

  /** The C functions used here. */
  interface LibC extends Library {
    int umask(int mask);

    int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    int waitpid(int pid, int[] status, int options);

    int geteuid();

    int open(String path, int flags, int mode);

    int fchmod(int fd, int mode);

    int close(int fd);
  }

  private static LibC load() {
    if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
      return null;
    }
    try {
      return Native.load("c", LibC.class);
    } catch (Throwable e) { // UnsatisfiedLinkError, NoClassDefFoundError: no native binding here
      return null;
    }
  }

  /** Whether the C library is bound (Linux with JNA's native part loadable). */
  public static boolean available() {
    return Bound.LIBC != null;
  }

  /**
   * Makes {@code mask} the process's file creation mask. The current mask is read from
   * {@code /proc/self/status} first, and the C library is bound only when it differs (a launcher
   * that ran {@code umask} already set it).
   *
   * @return whether the mask is in force now ({@code false} when it differed and could not be set)
   */
  public static boolean ensureUmask(int mask) {
    OptionalInt current = currentUmask();
    if (current.isPresent() && current.getAsInt() == mask) {
      return true;
    }
    return umask(mask).isPresent();
  }

  /** The process's file creation mask from {@code /proc/self/status} (Linux 4.7 and later); empty elsewhere. */
  public static OptionalInt currentUmask() {
    try (java.io.BufferedReader r = java.nio.file.Files.newBufferedReader(Path.of("/proc/self/status"))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.startsWith("Umask:")) {
          return OptionalInt.of(Integer.parseInt(line.substring("Umask:".length()).strip(), 8));
        }
      }
    } catch (IOException | RuntimeException e) {
      // no procfs, or another format: the caller asks the C library
    }
    return OptionalInt.empty();
  }

  /**
   * Sets the process's file creation mask and returns the previous one; empty when not available.
   * The mask applies to files the JDK and libraries (H2, logback) create from now on, and is
   * inherited by child processes.
   */
  public static Optional<Integer> umask(int mask) {
    if (Bound.LIBC == null) {
      return Optional.empty();
    }
    return Optional.of(Bound.LIBC.umask(mask));
  }

  /**
   * Makes this process a child subreaper: orphaned descendants (a hook's double-forked children)
   * are re-parented to it instead of to init, so it can still find and end them.
   *
   * @return whether the kernel accepted it
   */
  public static boolean becomeChildSubreaper() {
    if (Bound.LIBC == null) {
      return false;
    }
    try {
      return Bound.LIBC.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
    } catch (RuntimeException e) { // blocked by a seccomp filter
      return false;
    }
  }

  /**
   * Reaps {@code pid} if it is a child of this process that has exited, without blocking; a
   * process the JDK started must be left to the JDK.
   *
   * @return whether a child was reaped
   */
  public static boolean reapIfExited(long pid) {
    if (Bound.LIBC == null || pid <= 0 || pid > Integer.MAX_VALUE) {
      return false;
    }
    return Bound.LIBC.waitpid((int) pid, new int[1], WNOHANG) == pid;
  }

  /**
   * Creates {@code file}, which must not exist, and returns its open write-only descriptor; empty
   * when not available here. {@code O_CREAT|O_EXCL} never follows a symbolic link: a link (even a
   * dangling one) at {@code file} makes this fail with {@link FileAlreadyExistsException}. The
   * kernel narrows {@code mode} by the umask; {@link #fchmod} sets it exactly.
   */
  public static OptionalInt createExclusive(Path file, int mode) throws IOException {
    if (Bound.LIBC == null || !OPEN_FLAGS_KNOWN.contains(System.getProperty("os.arch", "").toLowerCase(Locale.ROOT))) {
      return OptionalInt.empty();
    }
    int fd = Bound.LIBC.open(file.toString(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
      int errno = Native.getLastError();
      if (errno == EEXIST) {
        throw new FileAlreadyExistsException(file.toString());
      }
      throw new IOException(file + ": cannot create (errno " + errno + ")");
    }
    return OptionalInt.of(fd);
  }

  /** Sets the permission bits of the open file {@code fd}, exactly (the umask does not apply). */
  public static void fchmod(int fd, int mode) throws IOException {
    requireBound();
    if (Bound.LIBC.fchmod(fd, mode) != 0) {
      throw new IOException("fchmod failed (errno " + Native.getLastError() + ")");
    }
  }

  /** Closes a descriptor from {@link #createExclusive}. */
  public static void close(int fd) {
    if (Bound.LIBC != null) {
      Bound.LIBC.close(fd);
    }
  }

  private static void requireBound() {
    if (Bound.LIBC == null) {
      throw new IllegalStateException("the C library is not bound here");
    }
  }

  /** The effective user id, when available. */
  public static Optional<Integer> effectiveUid() {
    return Bound.LIBC == null ? Optional.empty() : Optional.of(Bound.LIBC.geteuid());
  }
}
