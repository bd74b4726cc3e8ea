package io.certkeeper.renew;

import io.certkeeper.util.Posix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every process one hook run started, found again to end them all: like a systemd oneshot unit
 * with {@code KillMode=control-group}, nothing a hook started outlives it, whether it timed out or
 * exited.
 *
 * <p>certkeeper makes itself a child subreaper once ({@code prctl(PR_SET_CHILD_SUBREAPER)}), so a
 * process that double-forks or calls {@code setsid} is re-parented to certkeeper instead of init
 * and stays among its descendants. Each run puts a random marker ({@value #MARKER}) in its hook's
 * environment, which every process the hook starts inherits; a run's processes are the
 * descendants whose {@code /proc/PID/environ} holds its marker, plus the hook's process tree (for
 * a child that cleared its environment). Ending them: SIGTERM, up to {@link #KILL_GRACE} for them
 * to exit, SIGKILL for the rest. Processes certkeeper did not start are reaped with {@code
 * waitpid} on their own pid only (never {@code waitpid(-1)}, which would take exit codes from the
 * JDK's own processes).
 *
 * <p>Where prctl is not available, that is logged once, and the marker is looked for among all
 * processes this user may inspect; orphans are then reaped by init.
 */
final class HookProcesses {
  /** The environment variable holding a run's marker. */
  static final String MARKER = "CERTKEEPER_HOOK_RUN";
  /** How long processes get between SIGTERM and SIGKILL. */
  static final Duration KILL_GRACE = Duration.ofSeconds(2);
  /** How long to wait for killed processes to disappear before giving up on reaping them. */
  static final Duration REAP_WAIT = Duration.ofSeconds(2);
  /** How often a running hook's processes are looked for, so that short-lived ones get reaped. */
  static final Duration SCAN_INTERVAL = Duration.ofMillis(200);

  private static final Logger log = LoggerFactory.getLogger(HookProcesses.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long POLL_MS = 20;

  private final String id;
  private final byte[] entry;
  /** Every process of this run seen running: those certkeeper may have to reap. */
  private final Map<Long, ProcessHandle> seen = new LinkedHashMap<>();

  private HookProcesses(String id) {
    this.id = id;
    this.entry = (MARKER + "=" + id).getBytes(StandardCharsets.UTF_8);
  }

  /** A new run with a fresh marker; the first one makes this process a child subreaper. */
  static HookProcesses newRun() {
    Subreaper.ensure();
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return new HookProcesses(HexFormat.of().formatHex(b));
  }

  /** The marker's value, for the hook's environment under {@link #MARKER}. */
  String id() {
    return id;
  }

  /** Notes the run's processes now, so that those that exit before the end are reaped too. */
  void scan(Process main) {
    seen.putAll(running(main));
    reap(main);
  }

  /**
   * Ends every process of the run still running, {@code main} included: SIGTERM, a grace of
   * {@link #KILL_GRACE}, SIGKILL. Returns how many processes were signalled.
   */
  int endAll(Process main) {
    boolean interrupted = Thread.interrupted(); // the cleanup must run to its end; restored below
    try {
      return end(main);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private int end(Process main) {
    Map<Long, ProcessHandle> signalled = new LinkedHashMap<>();
    Map<Long, ProcessHandle> now = running(main);
    long graceEnd = System.nanoTime() + KILL_GRACE.toNanos();
    while (!now.isEmpty() && System.nanoTime() < graceEnd) {
      for (ProcessHandle h : now.values()) {
        if (signalled.putIfAbsent(h.pid(), h) == null) {
          h.destroy();
        }
      }
      seen.putAll(now);
      reap(main);
      pause();
      now = running(main); // also catches what was forked during the grace
    }
    long reapEnd = System.nanoTime() + REAP_WAIT.toNanos();
    while (!now.isEmpty() && System.nanoTime() < reapEnd) {
      for (ProcessHandle h : now.values()) {
        signalled.putIfAbsent(h.pid(), h);
        h.destroyForcibly();
      }
      seen.putAll(now);
      reap(main);
      pause();
      now = running(main);
    }
    try {
      main.waitFor(REAP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return signalled.size();
    }
    while (!reap(main) && System.nanoTime() < reapEnd) {
      pause();
    }
    if (!now.isEmpty()) {
      log.warn("hook run {} - {} processes still running after SIGKILL: {}", id, now.size(), now.keySet());
    }
    return signalled.size();
  }

  /** The run's processes that are running (not zombies), by pid. */
  private Map<Long, ProcessHandle> running(Process main) {
    Map<Long, ProcessHandle> found = new LinkedHashMap<>();
    if (isRunning(main.pid())) {
      found.put(main.pid(), main.toHandle());
    }
    main.descendants().filter(h -> isRunning(h.pid())).forEach(h -> found.put(h.pid(), h));
    Stream<ProcessHandle> candidates = Subreaper.active()
        ? ProcessHandle.current().descendants() : ProcessHandle.allProcesses();
    candidates.filter(h -> !found.containsKey(h.pid()) && hasMarker(h.pid()) && isRunning(h.pid()))
        .forEach(h -> found.put(h.pid(), h));
    found.remove(ProcessHandle.current().pid());
    return found;
  }

  /**
   * Reaps the run's processes that have exited and were re-parented to certkeeper (never {@code
   * main}: the JDK waits for it). Returns whether none of those seen is left to reap.
   */
  private boolean reap(Process main) {
    if (!Subreaper.active()) {
      seen.clear();
      return true;
    }
    seen.values().removeIf(h -> {
      if (h.pid() == main.pid()) {
        return true;
      }
      if (Posix.reapIfExited(h.pid())) {
        return true;
      }
      // gone (its parent reaped it), or another process by now
      return stat(h.pid()).isEmpty() || ProcessHandle.of(h.pid()).map(now -> !now.equals(h)).orElse(false);
    });
    return seen.isEmpty();
  }

  /** Whether {@code pid} exists and is not a zombie. */
  static boolean isRunning(long pid) {
    return stat(pid).map(s -> !s.startsWith("Z") && !s.startsWith("X") && !s.startsWith("x")).orElse(false);
  }

  /** The fields of {@code /proc/PID/stat} after the command name: state, ppid, ... */
  private static java.util.Optional<String> stat(long pid) {
    try {
      String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
      int close = s.lastIndexOf(')');
      return close < 0 ? java.util.Optional.empty() : java.util.Optional.of(s.substring(close + 2));
    } catch (IOException | RuntimeException e) {
      return java.util.Optional.empty();
    }
  }

  /** Whether {@code pid}'s environment holds this run's marker as one whole entry. */
  private boolean hasMarker(long pid) {
    byte[] env;
    try {
      env = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
    } catch (IOException | RuntimeException e) {
      return false; // gone, or another user's process
    }
    for (int start = 0; start < env.length; ) {
      int end = start;
      while (end < env.length && env[end] != 0) {
        end++;
      }
      if (end - start == entry.length && java.util.Arrays.equals(env, start, end, entry, 0, entry.length)) {
        return true;
      }
      start = end + 1;
    }
    return false;
  }

  private static void pause() {
    try {
      Thread.sleep(POLL_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Becomes a child subreaper once per process, on the first hook run. */
  private static final class Subreaper {
    private static final boolean ACTIVE = become();

    static void ensure() {
      // loading the class did the work
    }

    static boolean active() {
      return ACTIVE;
    }

    private static boolean become() {
      boolean ok = Posix.becomeChildSubreaper();
      if (ok) {
        log.info("hooks - certkeeper is a child subreaper: processes a hook leaves behind are ended with it");
      } else {
        log.warn("hooks - cannot become a child subreaper (prctl unavailable): a hook's processes are found by "
            + "their environment among this user's processes, and orphans are left to init to reap");
      }
      return ok;
    }
  }
}
