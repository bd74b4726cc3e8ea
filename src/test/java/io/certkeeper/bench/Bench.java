package io.certkeeper.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certkeeper.util.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the benchmark sections share: the quick/full switch, CPU time from {@code /proc}, child
 * processes, openssl fixtures and the per-section JSON file under {@code target/bench/}.
 *
 * <p>Each section is its own {@code main} (run by {@code scripts/bench} in a fresh JVM) and writes
 * {@code target/bench/SECTION.json}; {@link Report} merges them into {@code results.json}.
 */
final class Bench {
  /** Clock ticks per second of {@code /proc/PID/stat} (USER_HZ; 100 on every Linux we run on). */
  static final double HZ = clockTicks();

  private Bench() {}

  static boolean quick(String[] args) {
    return Arrays.asList(args).contains("--quick");
  }

  static Path outDir() throws IOException {
    return Files.createDirectories(Path.of(System.getProperty("bench.out", "target/bench")));
  }

  static ObjectNode section(String name, boolean quick) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("section", name);
    n.put("mode", quick ? "quick" : "full");
    return n;
  }

  static void save(ObjectNode section) throws IOException {
    Path file = outDir().resolve(section.get("section").asText() + ".json");
    Files.writeString(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(section));
    System.out.println("wrote " + file);
  }

  /** utime + stime of a process, in seconds; 0 when it is gone. */
  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // after "pid (comm) ": state is field 3, utime 14, stime 15 → indexes 11 and 12 here
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / HZ;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  static double cpuSeconds(List<Process> processes) {
    double sum = 0;
    for (Process p : processes) {
      sum += cpuSeconds(p.pid());
    }
    return sum;
  }

  static double selfCpuSeconds() {
    return cpuSeconds(ProcessHandle.current().pid());
  }

  /** Resident set size in MB from {@code /proc/PID/status}; -1 when unknown. */
  static double rssMb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return -1;
  }

  private static double clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
      String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
      p.waitFor();
      return Double.parseDouble(s);
    } catch (Exception e) {
      return 100;
    }
  }

  static int freePort() {
    return io.certkeeper.testing.FreePorts.next();
  }

  static void awaitPort(int port, long millis) throws Exception {
    long end = System.currentTimeMillis() + millis;
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException e) {
        if (System.currentTimeMillis() > end) {
          throw new IOException("nothing listens on 127.0.0.1:" + port + " after " + millis + " ms");
        }
        Thread.sleep(20);
      }
    }
  }

  /** Runs a command to completion; fails with its output when it exits non-zero. */
  static String run(Path dir, String... command) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  /** Wall, user and system seconds of a bash script, children included (bash's {@code time}). */
  record Timed(double wall, double user, double sys, String output) {
    double cpu() {
      return user + sys;
    }
  }

  static Timed timedBash(Path dir, String script) throws Exception {
    Path times = Files.createTempFile(dir, "time", ".txt");
    String wrapped = "TIMEFORMAT='%R %U %S'; { time ( " + script + " ) ; } 2> " + times;
    String out = run(dir, "bash", "-c", wrapped);
    String[] t = Files.readString(times).strip().split("\\s+");
    String[] last = Arrays.copyOfRange(t, t.length - 3, t.length);
    return new Timed(Double.parseDouble(last[0]), Double.parseDouble(last[1]), Double.parseDouble(last[2]), out);
  }

  /** A root CA and a leaf for localhost, 127.0.0.1 and *.bench.localhost, all EC P-256, by openssl. */
  record Pki(Path dir, Path rootCert, Path rootKey, Path leafCert, Path leafKey) {}

  static Pki pki(Path dir) throws Exception {
    Files.createDirectories(dir);
    run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "root.key", "-out", "root.pem", "-subj", "/CN=certkeeper bench root", "-days", "365",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    run(dir, "openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=localhost");
    Files.writeString(dir.resolve("leaf.ext"), "subjectAltName=DNS:localhost,DNS:*.bench.localhost,IP:127.0.0.1\n"
        + "extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\nbasicConstraints=critical,CA:FALSE\n");
    run(dir, "openssl", "x509", "-req", "-in", "leaf.csr", "-CA", "root.pem", "-CAkey", "root.key",
        "-CAcreateserial", "-days", "90", "-extfile", "leaf.ext", "-out", "leaf.pem");
    return new Pki(dir, dir.resolve("root.pem"), dir.resolve("root.key"), dir.resolve("leaf.pem"),
        dir.resolve("leaf.key"));
  }

  /** {@code openssl s_server} processes, one per port, all serving the same leaf. */
  static final class OpensslServers implements AutoCloseable {
    final List<Process> processes = new ArrayList<>();
    final List<Integer> ports = new ArrayList<>();

    OpensslServers(Pki pki, int count) throws Exception {
      for (int i = 0; i < count; i++) {
        int port = freePort();
        Process p = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert",
            pki.leafCert().toString(), "-key", pki.leafKey().toString(), "-www", "-quiet")
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        processes.add(p);
        ports.add(port);
      }
      for (int port : ports) {
        awaitPort(port, 10_000);
      }
    }

    double cpuSeconds() {
      return Bench.cpuSeconds(processes);
    }

    @Override
    public void close() {
      for (Process p : processes) {
        p.destroy();
      }
    }
  }

  static void deleteTree(Path dir) {
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }

  static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  static double median(List<Double> values) {
    List<Double> s = new ArrayList<>(values);
    s.sort(null);
    int n = s.size();
    return n == 0 ? Double.NaN : n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  static double percentile(List<Double> values, double p) {
    List<Double> s = new ArrayList<>(values);
    s.sort(null);
    if (s.isEmpty()) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(p / 100.0 * s.size()) - 1;
    return s.get(Math.max(0, Math.min(s.size() - 1, i)));
  }

  static int intMatch(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** Waits until {@code log} shows the daemon's " - ready" line; fails when it exits or {@code seconds} pass. */
  static void awaitReady(Process daemon, Path log, int seconds) throws Exception {
    long t0 = System.nanoTime();
    while (!Files.readString(log).contains(" - ready")) {
      if (!daemon.isAlive()) {
        throw new IllegalStateException("daemon exited: " + Files.readString(log));
      }
      if (System.nanoTime() - t0 > seconds * 1_000_000_000L) {
        throw new IllegalStateException("daemon not ready after " + seconds + " s");
      }
      Thread.sleep(20);
    }
  }
}
