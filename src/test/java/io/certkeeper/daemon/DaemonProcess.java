package io.certkeeper.daemon;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** The packaged certkeeper jar run as a real child process, with its output collected. */
final class DaemonProcess implements AutoCloseable {
  static Path jar() {
    String p = System.getProperty("certkeeper.jar", "target/certkeeper.jar");
    return Path.of(p).toAbsolutePath();
  }

  /**
   * The JVM options the launchers pass (scripts/certkeeper, the installed one): the build's
   * class-data-sharing archive beside the jar when there is one, and for a command, not the
   * daemon, a JVM for a short run; for the daemon, its serial GC and bounded heap. The daemon
   * keeps C1 only here, as these tests always ran it.
   */
  static List<String> jvmOptions(boolean daemon) {
    List<String> options = new ArrayList<>();
    Path jsa = jar().resolveSibling("certkeeper.jsa");
    if (java.nio.file.Files.isRegularFile(jsa)) {
      options.addAll(List.of("-XX:SharedArchiveFile=" + jsa, "-Xshare:auto", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
    }
    options.add("-XX:TieredStopAtLevel=1");
    options.add("-XX:+UseSerialGC");
    if (daemon) {
      options.addAll(List.of("-Xms16m", "-Xmx256m"));
    }
    return options;
  }

  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  private DaemonProcess(Process process) {
    this.process = process;
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException e) {
        // process gone
      }
    }, "daemon-output");
    reader.setDaemon(true);
    reader.start();
  }

  static DaemonProcess start(Map<String, String> env, String... args) throws IOException {
    return start("--default-signal=HUP,INT,TERM", env, args);
  }

  /**
   * Starts the daemon with {@code signals} (say "INT,HUP") ignored, as nohup or a shell script's
   * background job would start it.
   */
  static DaemonProcess startIgnoring(String signals, Map<String, String> env, String... args) throws IOException {
    return start("--ignore-signal=" + signals, env, args);
  }

  /**
   * A child inherits ignored signals through exec, so a suite started from a script's background
   * job (SIGINT ignored) or under nohup (SIGHUP ignored) would start daemons deaf to them; env(1)
   * sets the dispositions the test asks for, whatever the suite inherited.
   */
  private static DaemonProcess start(String dispositions, Map<String, String> env, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("env", dispositions, "java"));
    cmd.addAll(jvmOptions(true));
    cmd.addAll(List.of("-jar", jar().toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("JOURNAL_STREAM");
    // Tests run under a service manager must not report to it: only a test's own socket counts.
    pb.environment().keySet().removeAll(List.of("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"));
    pb.environment().putAll(env);
    return new DaemonProcess(pb.start());
  }

  /** Runs a CLI command to completion (60 s at most) and returns exit code and output. */
  static Result cli(String... args) throws IOException, InterruptedException {
    return cli(Map.of(), Duration.ofSeconds(60), List.of(args));
  }

  /**
   * Runs a CLI command with {@code env} added to this environment; its output goes to files, so a
   * chatty command cannot block on a full pipe, and the timeout holds whatever the command does.
   */
  static Result cli(Map<String, String> env, Duration timeout, List<String> args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("java"));
    cmd.addAll(jvmOptions(false));
    cmd.addAll(List.of("-jar", jar().toString()));
    cmd.addAll(args);
    java.io.File out = java.io.File.createTempFile("certkeeper-cli", ".out");
    java.io.File err = java.io.File.createTempFile("certkeeper-cli", ".err");
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out).redirectError(err);
      pb.environment().remove("JOURNAL_STREAM");
      pb.environment().keySet().removeAll(List.of("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"));
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("CLI did not finish within " + timeout + ": " + String.join(" ", args));
      }
      return new Result(p.exitValue(), java.nio.file.Files.readString(out.toPath(), StandardCharsets.UTF_8),
          java.nio.file.Files.readString(err.toPath(), StandardCharsets.UTF_8));
    } finally {
      out.delete();
      err.delete();
    }
  }

  /** {@link #cli(Map, Duration, List)} with {@code --config cfg [--data-dir data]} before {@code args}. */
  static Result cli(Map<String, String> env, Duration timeout, Path cfg, Path data, String... args)
      throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of("--config", cfg.toString()));
    if (data != null) {
      all.addAll(List.of("--data-dir", data.toString()));
    }
    all.addAll(List.of(args));
    return cli(env, timeout, all);
  }

  /** {@code --config DIR/certkeeper.yaml --data-dir DIR/data} and {@code command}: a test's daemon and commands. */
  static String[] in(Path dir, String... command) {
    List<String> a = new ArrayList<>(List.of("--config", dir.resolve("certkeeper.yaml").toString(),
        "--data-dir", dir.resolve("data").toString()));
    a.addAll(List.of(command));
    return a.toArray(new String[0]);
  }

  /** A command on {@link #in(Path, String...) dir's} configuration and data that must succeed. */
  static Result cliOk(Path dir, String... command) throws IOException, InterruptedException {
    Result r = cli(in(dir, command));
    org.junit.jupiter.api.Assertions.assertEquals(0, r.exitCode(),
        String.join(" ", command) + ": " + r.err() + r.out());
    return r;
  }

  record Result(int exitCode, String out, String err) {}

  long pid() {
    return process.pid();
  }

  Process process() {
    return process;
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  /** Waits until a line matches, failing with the whole output after {@code timeout}. */
  String awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen = 0;
    while (System.nanoTime() < deadline) {
      List<String> now = lines();
      for (int i = seen; i < now.size(); i++) {
        if (match.test(now.get(i))) {
          return now.get(i);
        }
      }
      seen = now.size();
      if (!process.isAlive() && lines().size() == seen) {
        break;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no matching line within " + timeout + "; output:\n" + String.join("\n", lines()));
  }

  void signal(String name) throws IOException, InterruptedException {
    Process k = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
    if (k.waitFor() != 0) {
      throw new AssertionError("kill -" + name + " failed");
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
