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
 * of one loopback {@code openssl s_server} (recorded in the store, as by default).
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
        Map<String, Map<String, List<Double>>> times = new LinkedHashMap<>();
        for (String l : launchers.keySet()) {
          Map<String, List<Double>> byCommand = new LinkedHashMap<>();
          commands.keySet().forEach(c -> byCommand.put(c, new ArrayList<>()));
          times.put(l, byCommand);
        }
        for (int r = 0; r < rounds; r++) {
          javaVersion.add(time(work, null, List.of("-version")));
          for (Map.Entry<String, Path> l : launchers.entrySet()) {
            for (Map.Entry<String, List<String>> c : commands.entrySet()) {
              times.get(l.getKey()).get(c.getKey()).add(time(work, l.getValue(), c.getValue()));
            }
          }
          System.out.println("round " + (r + 1) + " of " + rounds);
        }
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
        // The headline ratio of each command is the slower of the two launchers.
        for (Map.Entry<String, Double> w : worst.entrySet()) {
          out.put(w.getKey() + "_over_java_version", Bench.round(w.getValue(), 2));
        }
        out.put("jvm_options", String.join(" ", launcherOptions(prefix)));
        out.put("cds_archive", Files.isRegularFile(root.resolve("target/certkeeper.jsa")));
        System.out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(out));
      }
      Bench.save(out);
    } finally {
      Bench.deleteTree(work);
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

  /** The JVM options the installed launcher passes to a CLI command, for the record. */
  private static List<String> launcherOptions(Path prefix) {
    try {
      String script = Files.readString(prefix.resolve("usr/local/bin/certkeeper"));
      List<String> opts = new ArrayList<>();
      for (String word : script.split("[\\s\"']+")) {
        if (word.startsWith("-XX:") || word.startsWith("-Xshare")) {
          opts.add(word.replaceAll("=.*/", "=.../"));
        }
      }
      return opts.isEmpty() ? List.of("(none)") : opts;
    } catch (Exception e) {
      return List.of("(unknown)");
    }
  }
}
