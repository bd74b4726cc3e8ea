package io.certkeeper.renew;

import io.certkeeper.config.CertificateConfig.Hook;
import io.certkeeper.util.Durations;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one deploy hook: its argv exactly as configured (no shell, never split on spaces), in a
 * clean environment holding only {@code PATH}, the hook's own variables and the {@code
 * CERTKEEPER_*} ones; stdout and stderr go to a temporary file of which the last {@link
 * #OUTPUT_TAIL} bytes are kept for the log (a file, not a pipe: a background process holding the
 * output open cannot make the run wait). A hook still running at its timeout is ended with every
 * process it started, even those that double-forked or left its session; when it exits in time,
 * whatever it left running is ended too (see {@link HookProcesses}). The run takes at most the
 * timeout plus {@link HookProcesses#KILL_GRACE} and {@link HookProcesses#REAP_WAIT}.
 */
final class HookRunner {
  private static final Logger log = LoggerFactory.getLogger(HookRunner.class);

  /** How much of a hook's output is kept. */
  static final int OUTPUT_TAIL = 4096;
  /** The search path hooks get. */
  static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  /**
   * What a hook run came to.
   *
   * @param exitCode the exit code, or -1 when it could not start or was killed
   * @param stopped whether it was ended because certkeeper is stopping
   * @param output the tail of its stdout and stderr
   */
  record Result(boolean ok, int exitCode, boolean timedOut, boolean stopped, String error, String output) {}

  private HookRunner() {}

  static Result run(Hook hook, Map<String, String> certkeeperEnv) {
    return run(hook, certkeeperEnv, () -> false);
  }

  /**
   * Runs {@code hook}; when {@code stopping} turns true meanwhile (the daemon was asked to stop),
   * ends it with everything it started as at its timeout, within {@link HookProcesses#SCAN_INTERVAL}
   * plus the kill grace.
   */
  static Result run(Hook hook, Map<String, String> certkeeperEnv, java.util.function.BooleanSupplier stopping) {
    Path out;
    try {
      out = Files.createTempFile("certkeeper-hook-", ".out");
    } catch (IOException e) {
      return new Result(false, -1, false, false, "cannot create a file for its output: " + e.getMessage(), "");
    }
    try {
      ProcessBuilder pb = new ProcessBuilder(hook.command())
          .redirectErrorStream(true)
          .redirectOutput(out.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      Map<String, String> env = pb.environment();
      env.clear();
      env.put("PATH", PATH);
      env.putAll(hook.env());
      env.putAll(certkeeperEnv);
      HookProcesses processes = HookProcesses.newRun();
      env.put(HookProcesses.MARKER, processes.id());
      String shown = String.join(" ", hook.command());
      Process p;
      try {
        p = pb.start();
      } catch (IOException e) {
        return new Result(false, -1, false, false, "cannot start: " + e.getMessage(), "");
      }
      boolean finished = waitOrScan(p, hook.timeout(), processes, stopping);
      int killed = processes.endAll(p);
      if (!finished && stopping.getAsBoolean()) {
        log.warn("hook {}: ended because certkeeper is stopping; killed {} processes", shown, killed);
        return new Result(false, -1, false, true, "ended because certkeeper stopped", tail(out));
      }
      if (!finished) {
        log.warn("hook {}: timed out after {}; killed {} processes", shown, Durations.format(hook.timeout()), killed);
        return new Result(false, -1, true, false, "killed after its timeout of " + Durations.format(hook.timeout()),
            tail(out));
      }
      int code = p.exitValue();
      if (killed > 0) {
        log.warn("hook {}: exited with status {}; killed {} processes it left running", shown, code, killed);
      }
      return new Result(code == 0, code, false, false, code == 0 ? "" : "exited with status " + code, tail(out));
    } finally {
      try {
        Files.deleteIfExists(out);
      } catch (IOException ignored) {
        // a temporary file in the temporary folder
      }
    }
  }

  /**
   * Waits for {@code p} up to {@code timeout} or until {@code stopping}, noting the run's processes
   * meanwhile; whether it exited.
   */
  private static boolean waitOrScan(Process p, java.time.Duration timeout, HookProcesses processes,
      java.util.function.BooleanSupplier stopping) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || stopping.getAsBoolean()) {
          return false;
        }
        if (p.waitFor(Math.min(left, HookProcesses.SCAN_INTERVAL.toNanos()), TimeUnit.NANOSECONDS)) {
          return true;
        }
        processes.scan(p);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String tail(Path f) {
    try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "r")) {
      long len = r.length();
      long from = Math.max(0, len - OUTPUT_TAIL);
      byte[] b = new byte[(int) (len - from)];
      r.seek(from);
      r.readFully(b);
      return new String(b, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "(output unreadable: " + e.getMessage() + ")";
    }
  }
}
