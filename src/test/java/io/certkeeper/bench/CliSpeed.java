package io.certkeeper.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certkeeper.util.Json;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Wall time of the CLI commands operators run from shells, cron and Nagios, each beside a bare
 * {@code java -version} timed in the same rounds, and run the way users run them: through
 * {@code scripts/certkeeper} (the checkout) and through the launcher {@code scripts/install.sh}
 * installs (into a temporary prefix). Rounds interleave every command, so a load that comes and
 * goes touches all of them alike; each figure is the median over the rounds.
 *
 * <p>The commands: {@code --version}; {@code status} and {@code list --json} on a store that holds
 * one observed certificate; {@code verify} of an openssl-made leaf against its root; {@code probe}
 * of one loopback {@code openssl s_server} (recorded in the store, as by default). The commands
 * that use the store run twice: with no daemon (the command opens the H2 file itself: the headline
 * figures) and while a daemon serves the store (the command connects to it, as on a host where
 * certkeeper is installed and running: {@code with_daemon}).
 */
public final class CliSpeed {
  private CliSpeed() {}

  /** What one launcher is asked to run, by the key the results use. */
  private static Map<String, List<String>> commands(Path config, Bench.Pki pki, int port) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put("version", List.of("--version"));
    m.put("status", List.of("--config", config.toString(), "status"));
    m.put("list_json", List.of("--config", config.toString(), "list", "--json"));
    m.put("verify", List.of("verify", "--trusted", pki.rootCert().toString(), pki.leafCert().toString()));
    m.put("probe", List.of("--config", config.toString(), "probe", "--ca-file", pki.rootCert().toString(),
        "127.0.0.1:" + port));
    return m;
  }

  @SuppressWarnings("try") // the daemon runs while the body times commands against it
  public static void main(String[] args) throws Exception {
    boolean quick = Bench.quick(args);
    int rounds = quick ? 5 : 15;
    Path root = Path.of("").toAbsolutePath();
    Path checkout = root.resolve("scripts/certkeeper");
    ObjectNode out = Bench.section("cli", quick);
    Path work = Files.createTempDirectory("certkeeper-bench-cli");
    try {
      Path prefix = work.resolve("prefix");
      Bench.run(root, "scripts/install.sh", "--prefix", prefix.toString(), "--no-systemd", "--no-build");
      Map<String, Path> launchers = new LinkedHashMap<>();
      launchers.put("checkout", checkout);
      launchers.put("installed", prefix.resolve("usr/local/bin/certkeeper"));

      Bench.Pki pki = Bench.pki(work.resolve("pki"));
      try (Bench.OpensslServers server = new Bench.OpensslServers(pki, 1)) {
        Path config = work.resolve("certkeeper.yaml");
        Files.writeString(config, "data-dir: " + work.resolve("data") + "\n");
        Map<String, List<String>> commands = commands(config, pki, server.ports.get(0));
        // Once each, untimed: creates the store (the first open migrates it), records the probed
        // certificate, and lets each launcher build what it builds on its first run.
        for (Path launcher : launchers.values()) {
          for (List<String> c : commands.values()) {
            time(work, launcher, c);
          }
        }
        List<Double> javaVersion = new ArrayList<>();
        Map<String, Map<String, List<Double>>> times = emptyTimes(launchers, commands);
        for (int r = 0; r < rounds; r++) {
          javaVersion.add(time(work, null, List.of("-version")));
          for (Map.Entry<String, Path> l : launchers.entrySet()) {
            for (Map.Entry<String, List<String>> c : commands.entrySet()) {
              times.get(l.getKey()).get(c.getKey()).add(time(work, l.getValue(), c.getValue()));
            }
          }
          System.out.println("round " + (r + 1) + " of " + rounds);
        }
        summarize(out, rounds, javaVersion, times, launchers);

        // The same commands again while a daemon serves the store (--version and verify use none).
        Map<String, List<String>> storeCommands = new LinkedHashMap<>(commands);
        storeCommands.keySet().retainAll(List.of("status", "list_json", "probe"));
        try (RunningDaemon daemon = RunningDaemon.start(root.resolve("target/certkeeper.jar"), config, work)) {
          List<Double> javaVersion2 = new ArrayList<>();
          Map<String, Map<String, List<Double>>> times2 = emptyTimes(launchers, storeCommands);
          for (int r = 0; r < rounds; r++) {
            javaVersion2.add(time(work, null, List.of("-version")));
            for (Map.Entry<String, Path> l : launchers.entrySet()) {
              for (Map.Entry<String, List<String>> c : storeCommands.entrySet()) {
                times2.get(l.getKey()).get(c.getKey()).add(time(work, l.getValue(), c.getValue()));
              }
            }
            System.out.println("with a daemon: round " + (r + 1) + " of " + rounds);
          }
          summarize(out.putObject("with_daemon"), rounds, javaVersion2, times2, launchers);
        }
        out.put("jvm_options", String.join(" ", launcherOptions(work, launchers.get("installed"))));
        ObjectNode archives = out.putObject("cds_archive");
        archives.put("checkout", Files.isRegularFile(root.resolve("target/certkeeper.jsa")));
        archives.put("installed", Files.isRegularFile(prefix.resolve("opt/certkeeper/certkeeper.jsa")));
        System.out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(out));
      }
      Bench.save(out);
    } finally {
      Bench.deleteTree(work);
    }
  }

  private static Map<String, Map<String, List<Double>>> emptyTimes(Map<String, Path> launchers,
      Map<String, List<String>> commands) {
    Map<String, Map<String, List<Double>>> times = new LinkedHashMap<>();
    for (String l : launchers.keySet()) {
      Map<String, List<Double>> byCommand = new LinkedHashMap<>();
      commands.keySet().forEach(c -> byCommand.put(c, new ArrayList<>()));
      times.put(l, byCommand);
    }
    return times;
  }

  /**
   * Medians per launcher and command, each over the median {@code java -version} of the same
   * rounds; the headline ratio of a command is the slower of the two launchers.
   */
  private static void summarize(ObjectNode out, int rounds, List<Double> javaVersion,
      Map<String, Map<String, List<Double>>> times, Map<String, Path> launchers) {
    double base = Bench.median(javaVersion);
    out.put("rounds", rounds);
    out.put("java_version_ms", Bench.round(base, 1));
    ObjectNode byLauncher = out.putObject("launchers");
    Map<String, Double> worst = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, List<Double>>> l : times.entrySet()) {
      ObjectNode n = byLauncher.putObject(l.getKey());
      n.put("path", launchers.get(l.getKey()).toString());
      for (Map.Entry<String, List<Double>> c : l.getValue().entrySet()) {
        double ms = Bench.median(c.getValue());
        double ratio = ms / base;
        n.put(c.getKey() + "_ms", Bench.round(ms, 1));
        n.put(c.getKey() + "_over_java_version", Bench.round(ratio, 2));
        worst.merge(c.getKey(), ratio, Math::max);
      }
    }
    for (Map.Entry<String, Double> w : worst.entrySet()) {
      out.put(w.getKey() + "_over_java_version", Bench.round(w.getValue(), 2));
    }
  }

  /** {@code java -jar certkeeper.jar --config C daemon}, from its "ready" line until closed. */
  private static final class RunningDaemon implements AutoCloseable {
    private final Process process;

    private RunningDaemon(Process process) {
      this.process = process;
    }

    static RunningDaemon start(Path jar, Path config, Path work) throws Exception {
      Path log = work.resolve("daemon.log");
      Process p = new ProcessBuilder("java", "-jar", jar.toString(), "--config", config.toString(), "daemon")
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      RunningDaemon d = new RunningDaemon(p);
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (!Files.readString(log).contains(" - ready")) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          d.close();
          throw new IllegalStateException("the daemon did not get ready: " + Files.readString(log));
        }
        Thread.sleep(50);
      }
      return d;
    }

    @Override
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Runs {@code launcher args} (or {@code java args} when {@code launcher} is null) to completion
   * and returns its wall time in ms; fails with its output when it exits non-zero.
   */
  private static double time(Path dir, Path launcher, List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(launcher == null ? "java" : launcher.toString());
    cmd.addAll(args);
    File log = Files.createTempFile(dir, "cli", ".log").toFile();
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      pb.environment().remove("CERTKEEPER_JAVA_OPTS");
      pb.environment().remove("CERTKEEPER_CONFIG");
      long t0 = System.nanoTime();
      Process p = pb.start();
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", cmd) + ": no exit after 5 minutes");
      }
      double ms = (System.nanoTime() - t0) / 1e6;
      if (p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " exited " + p.exitValue() + ": "
            + Files.readString(log.toPath(), StandardCharsets.UTF_8));
      }
      return ms;
    } finally {
      log.delete();
    }
  }

  /**
   * The JVM options {@code launcher} passes to a command, for the record: what it hands a {@code
   * java} that only prints its arguments (through {@code JAVA_HOME}), up to {@code -jar}.
   */
  private static List<String> launcherOptions(Path work, Path launcher) throws Exception {
    Path jdk = Files.createDirectories(work.resolve("echo-jdk/bin"));
    Path java = jdk.resolve("java");
    Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
    java.toFile().setExecutable(true);
    ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "status").redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", jdk.getParent().toString());
    pb.environment().remove("CERTKEEPER_JAVA_OPTS");
    Process p = pb.start();
    List<String> args = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    p.waitFor();
    List<String> options = new ArrayList<>();
    for (String a : args) {
      if (a.equals("-jar")) {
        break;
      }
      options.add(a.replaceFirst("=.*/", "=.../"));
    }
    return options.isEmpty() ? List.of("(none)") : options;
  }
}
