package io.certkeeper.util;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.Optional;

/**
 * The few POSIX calls the JDK does not offer, through JNA's binding of the C library: the file
 * creation mask, {@code prctl(PR_SET_CHILD_SUBREAPER)} and {@code waitpid} for processes the JDK did
 * not start. Every call is best effort: where the C library cannot be bound (JNA's native part
 * missing, a platform other than Linux) {@link #available()} is false and the calls report that
 * they did nothing, so callers fall back to what the JDK can do.
 */
public final class Posix {
  private static final int PR_SET_CHILD_SUBREAPER = 36;
  private static final int WNOHANG = 1;

  private static final LibC LIBC = load();

  private Posix() {}

  /** The C functions used here. */
  interface LibC extends Library {
    int umask(int mask);

    int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    int waitpid(int pid, int[] status, int options);

    int geteuid();
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
    return LIBC != null;
  }

  /**
   * Sets the process's file creation mask and returns the previous one; empty when not available.
   * The mask applies to files the JDK and libraries (H2, logback) create from now on, and is
   * inherited by child processes.
   */
  public static Optional<Integer> umask(int mask) {
    if (LIBC == null) {
      return Optional.empty();
    }
    return Optional.of(LIBC.umask(mask));
  }

  /**
   * Makes this process a child subreaper: orphaned descendants (a hook's double-forked children)
   * are re-parented to it instead of to init, so it can still find and end them.
   *
   * @return whether the kernel accepted it
   */
  public static boolean becomeChildSubreaper() {
    if (LIBC == null) {
      return false;
    }
    try {
      return LIBC.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
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
    if (LIBC == null || pid <= 0 || pid > Integer.MAX_VALUE) {
      return false;
    }
    return LIBC.waitpid((int) pid, new int[1], WNOHANG) == pid;
  }

  /** The effective user id, when available. */
  public static Optional<Integer> effectiveUid() {
    return LIBC == null ? Optional.empty() : Optional.of(LIBC.geteuid());
  }
}
