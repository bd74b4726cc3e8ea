package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.testing.ExternalTool;
import io.certkeeper.util.Json;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What the fault tests share: one data directory and configuration, the packaged CLI and daemon run
 * against them, {@code openssl s_server} peers on loopback, and polling with a deadline (never a
 * fixed sleep as a lower bound). Every failure is one line that says what was not reached.
 */
final class FaultRig implements AutoCloseable {
  static final Duration START = Duration.ofSeconds(90);
  static final Map<String, String> ENV = Map.of("CA_PASS", "a long enough CA passphrase");

  final Path dir;
  final Path cfg;
  final Path data;
  private final List<Process> peers = new java.util.concurrent.CopyOnWriteArrayList<>();

  FaultRig(Path dir) {
    this.dir = dir;
    this.cfg = dir.resolve("certkeeper.yaml");
    this.data = dir.resolve("data");
  }

  static int freePort() {
    return io.certkeeper.testing.FreePorts.next();
  }

  void config(String yaml) throws IOException {
    Files.writeString(cfg, yaml);
  }

  void caInit() throws Exception {
    DaemonProcess.Result r = cli("ca", "init", "--name", "Fault CA");
    assertEquals(0, r.exitCode(), "ca init: " + r.err());
  }

  DaemonProcess.Result cli(String... args) throws Exception {
    return DaemonProcess.cli(ENV, java.time.Duration.ofSeconds(90), cfg, data, args);
  }

  /** Starts a CLI command and returns at once (it runs alongside the daemon and may meet its death). */
  Process cliInBackground(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar",
        DaemonProcess.jar().toString(), "--config", cfg.toString(), "--data-dir", data.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(new File("/dev/null"));
    pb.environment().putAll(ENV);
    return pb.start();
  }

  JsonNode json(String... args) throws Exception {
    DaemonProcess.Result r = cli(args);
    assertEquals(0, r.exitCode(), String.join(" ", args) + ": " + r.err());
    return Json.mapper().readTree(r.out());
  }

  DaemonProcess daemon() throws IOException {
    return DaemonProcess.start(new HashMap<>(ENV), "--config", cfg.toString(), "--data-dir", data.toString(), "daemon");
  }

  /** Starts the daemon and waits for its ready line. */
  DaemonProcess startReady() throws Exception {
    DaemonProcess d = daemon();
    d.awaitLine(l -> l.endsWith("Daemon - ready"), START);
    return d;
  }

  /** {@code openssl s_server} on {@code port} serving {@code name}.pem, up once it accepts. */
  Process serve(int port, String name) throws Exception {
    Process p = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-quiet", "-cert", dir.resolve(name + ".pem").toString(), "-key", dir.resolve(name + ".key").toString())
        .redirectErrorStream(true).redirectOutput(new File("/dev/null")).start();
    peers.add(p);
    await("s_server on " + port, Duration.ofSeconds(20), () -> {
      try {
        new Socket(InetAddress.getLoopbackAddress(), port).close();
        return true;
      } catch (IOException e) {
        return false;
      }
    });
    return p;
  }

  /** Polls {@code done} every 200 ms until true, failing with {@code what} after {@code timeout}. */
  static void await(String what, Duration timeout, Supplier<Boolean> done) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (done.get()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(what + ": not reached within " + timeout);
  }

  /** HTTP status and body of {@code GET https://127.0.0.1:port/path}, or status 0 when nothing answered. */
  HttpAnswer get(int port, String path) {
    ExternalTool.Result r = ExternalTool.run(dir, "curl", "-s", "-k", "--max-time", "10", "-w", "\n%{http_code}",
        "https://127.0.0.1:" + port + path);
    String out = r.output().trim();
    int nl = out.lastIndexOf('\n');
    String code = nl < 0 ? out : out.substring(nl + 1);
    try {
      return new HttpAnswer(Integer.parseInt(code.trim()), nl < 0 ? "" : out.substring(0, nl));
    } catch (NumberFormatException e) {
      return new HttpAnswer(0, out);
    }
  }

  record HttpAnswer(int status, String body) {}

  /** The serial (lower-case hex, no leading zeros) a TLS listener on {@code port} presents, judged by openssl. */
  String servedSerial(int port) {
    ExternalTool.Result r = ExternalTool.run(dir, "/bin/sh", "-c",
        "openssl s_client -connect 127.0.0.1:" + port + " -servername localhost </dev/null 2>/dev/null"
            + " | openssl x509 -noout -serial");
    assertTrue(r.ok(), "no certificate from 127.0.0.1:" + port + ": " + r.output());
    return normalize(r.output());
  }

  String fileSerial(Path cert) {
    ExternalTool.Result r = ExternalTool.run(dir, "openssl", "x509", "-noout", "-serial", "-in", cert.toString());
    assertTrue(r.ok(), cert + " does not parse: " + r.output());
    return normalize(r.output());
  }

  void assertKeyMatches(Path cert, Path key) {
    ExternalTool.Result a = ExternalTool.run(dir, "openssl", "x509", "-noout", "-pubkey", "-in", cert.toString());
    ExternalTool.Result b = ExternalTool.run(dir, "openssl", "pkey", "-pubout", "-in", key.toString());
    assertTrue(a.ok() && b.ok(), cert + " / " + key + ": " + a.output() + b.output());
    assertEquals(a.output(), b.output(), key + " does not match " + cert);
  }

  static String normalize(String serial) {
    return serial.trim().replaceFirst("^serial=", "").toLowerCase(Locale.ROOT).replaceFirst("^0+", "");
  }

  @Override
  public void close() {
    peers.forEach(Process::destroyForcibly);
  }
}
