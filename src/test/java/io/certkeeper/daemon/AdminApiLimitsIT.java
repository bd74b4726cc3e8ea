package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.certkeeper.testing.OpenSsl;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API of a real daemon under hostile or slow use, with the default limits: a slow renewal
 * does not stall {@code /healthz}, a trickling client is cut off, a full listener refuses new
 * connections, unreadable requests get their status. Time bounds are generous upper bounds only.
 */
@Tag("security")
class AdminApiLimitsIT {
  /** The default connection cap of a listener. */
  static final int MAX_CONNECTIONS = 64;
  static final String TOKEN = "s3cret-token";

  @TempDir static Path dir;
  static DaemonProcess daemon;
  static int port;
  static Path cfg;

  /** A managed certificate (so that the daemon can renew), {@code more} of them, the admin listener. */
  static String config(String more) {
    return String.join("\n",
        "ca:",
        "  passphrase: env:CA_PASS",
        "certificates:",
        "  - name: seed",
        "    common-name: seed.localhost",
        more + "listeners:",
        "  - name: admin",
        "    bind: '127.0.0.1:" + port + "'",
        "    role: admin",
        "    certificate: {cert-file: server.pem, key-file: server.key}",
        "    auth: {token: 'file:" + dir.resolve("token") + "'}",
        "");
  }

  @BeforeAll
  static void startDaemon() throws Exception {
    OpenSsl.selfSigned(dir, "server", "localhost", 30);
    Files.writeString(dir.resolve("token"), TOKEN + "\n");
    port = freePort();
    cfg = dir.resolve("certkeeper.yaml");
    Files.writeString(cfg, config(""));
    Map<String, String> env = Map.of("CA_PASS", "a long enough CA passphrase");
    List<String> init = List.of("java", "-XX:TieredStopAtLevel=1", "-jar", DaemonProcess.jar().toString(), "--config",
        cfg.toString(), "--data-dir", dir.resolve("data").toString(), "ca", "init", "--name", "IT CA");
    ProcessBuilder pb = new ProcessBuilder(init).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out);
    daemon = DaemonProcess.start(env, "--config", cfg.toString(), "--data-dir", dir.resolve("data").toString(), "daemon");
    daemon.awaitLine(l -> l.endsWith("Daemon - ready"), Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopDaemon() {
    if (daemon != null) {
      daemon.close();
    }
  }

  static int freePort() {
    return io.certkeeper.testing.FreePorts.next();
  }

  /** curl's HTTP status (0 when no answer came) for {@code path}, giving up after {@code maxSeconds}. */
  private static int curl(String method, String path, int maxSeconds) throws Exception {
    List<String> cmd = List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time",
        Integer.toString(maxSeconds), "--cacert", dir.resolve("server.pem").toString(), "-X", method, "-H",
        "Authorization: Bearer " + TOKEN, "https://localhost:" + port + path);
    String code = OpenSsl.exec(dir, cmd).output().trim();
    return code.length() < 3 ? 0 : Integer.parseInt(code.substring(code.length() - 3));
  }

  /** Polls until {@code /healthz} answers 200 (after a test that filled the listener). */
  private static void awaitHealthy() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (curl("GET", "/healthz", 5) != 200) {
      if (System.nanoTime() > deadline) {
        fail("/healthz does not answer 200 within 60 s");
      }
      Thread.sleep(200);
    }
  }

  private static SSLSocket tls() throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] c, String a) {}

      @Override
      public void checkServerTrusted(X509Certificate[] c, String a) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
    s.setSoTimeout(30_000);
    s.startHandshake();
    return s;
  }

  /** Sends {@code request} as is and returns the status line of the answer. */
  private static String send(String request) throws Exception {
    try (SSLSocket s = tls()) {
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      return answer.lines().findFirst().orElse("(connection closed without an answer)");
    }
  }

  @Test
  void healthzAnswersWhileASlowRenewalRuns() throws Exception {
    // a certificate added by a reload is issued for the first time by the API call (no storm guard),
    // and its hook sleeps
    Files.writeString(cfg, config(String.join("\n",
        "  - name: slow",
        "    common-name: slow.localhost",
        "    hooks:",
        "      - command: ['/bin/sh', '-c', 'touch " + dir.resolve("hook-started") + "; sleep 20']",
        "        timeout: 60s",
        "")));
    daemon.signal("HUP");
    daemon.awaitLine(l -> l.contains("configuration reloaded"), Duration.ofSeconds(60));
    CompletableFuture<Integer> renewal = CompletableFuture.supplyAsync(() -> {
      try {
        return curl("POST", "/api/v1/certificates/slow/renew", 90);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!Files.exists(dir.resolve("hook-started"))) {
      assertFalse(renewal.isDone(), "the renewal ended before its hook started: " + renewal.getNow(-1));
      assertTrue(System.nanoTime() < deadline, "the renewal's hook did not start within 60 s");
      Thread.sleep(50);
    }
    // consecutive connections land on each of the listener's event loops in turn
    for (int i = 0; i < 4; i++) {
      assertEquals(200, curl("GET", "/healthz", 5), "/healthz while the renewal's hook sleeps (try " + i + ")");
    }
    assertFalse(renewal.isDone(), "the checks above must overlap the renewal");
    assertEquals(200, renewal.get(90, TimeUnit.SECONDS), "the renewal itself succeeds");
  }

  @Test
  void aClientTricklingHeadersIsCutOffByTheRequestDeadline() throws Exception {
    long start = System.nanoTime();
    long limit = Duration.ofSeconds(40).toNanos(); // the deadline is 10 s; generous for a loaded machine
    try (SSLSocket s = tls()) {
      s.setSoTimeout(500);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write("GET /healthz HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII));
      StringBuilder answer = new StringBuilder();
      for (int i = 0; System.nanoTime() - start < limit; i++) {
        try {
          out.write(("X-Slow-" + i + ": x\r\n").getBytes(StandardCharsets.US_ASCII));
          out.flush();
        } catch (IOException e) {
          break; // closed by the server
        }
        try {
          byte[] buf = new byte[1024];
          int n = in.read(buf);
          if (n < 0) {
            break;
          }
          answer.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
        } catch (SocketTimeoutException e) {
          // still open: trickle on
        } catch (IOException e) {
          break;
        }
      }
      long took = System.nanoTime() - start;
      assertTrue(took < limit, "a trickling client kept its connection for " + Duration.ofNanos(took));
      assertTrue(answer.length() == 0 || answer.toString().startsWith("HTTP/1.1 408"), answer.toString());
    }
  }

  @Test
  void aFullListenerRefusesNewConnectionsAndServesUnderTheCap() throws Exception {
    awaitHealthy();
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_CONNECTIONS - 1; i++) {
        held.add(new Socket(InetAddress.getLoopbackAddress(), port));
      }
      assertEquals(200, curl("GET", "/healthz", 5), "one under the cap: served");
      held.add(new Socket(InetAddress.getLoopbackAddress(), port));
      assertEquals(0, curl("GET", "/healthz", 5), "at the cap: the new connection is closed at once");
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
    awaitHealthy();
  }

  @Test
  void anOverlongRequestLineGets414() throws Exception {
    assertEquals("HTTP/1.1 414 Request-URI Too Long",
        send("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  }

  @Test
  void aHugeHeaderGets431() throws Exception {
    assertEquals("HTTP/1.1 431 Request Header Fields Too Large",
        send("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "b".repeat(40_000) + "\r\n\r\n"));
  }

  @Test
  void garbageGets400() throws Exception {
    assertEquals("HTTP/1.1 400 Bad Request", send("\u0001\u0002 not http at all\r\n\r\n"));
  }

  @Test
  void anOversizedBodyGets413() throws Exception {
    assertEquals("HTTP/1.1 413 Request Entity Too Large",
        send("POST /api/v1/endpoints HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000000\r\n\r\n"
            + "c".repeat(1000)));
  }
}
