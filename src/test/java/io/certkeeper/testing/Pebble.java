package io.certkeeper.testing;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Assumptions;

/**
 * Let's Encrypt's ACME test server on loopback, as Debian packages it ({@code pebble} 2.4 and its
 * {@code pebble-challtestsrv}), for one test: pebble's HTTPS with a certificate of a CA made here
 * ({@link #tlsCa}), its validation of http-01 on {@code httpPort} (the test's {@code acme-http}
 * listener), and every name resolved to 127.0.0.1 by challtestsrv's DNS. Validation does not sleep
 * ({@code PEBBLE_VA_NOSLEEP}); pebble's refusal of 5% of nonces stays on, as the client must cope;
 * its reuse of valid authorizations is off, so that every order's challenges are answered.
 *
 * <p>When pebble is not installed the test is skipped, unless {@code CI=true}: then it fails.
 */
public final class Pebble implements AutoCloseable {
  private final Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final int port;
  private final int managementPort;
  private final int dnsManagementPort;

  private Pebble(Path dir, int port, int managementPort, int dnsManagementPort) {
    this.dir = dir;
    this.port = port;
    this.managementPort = managementPort;
    this.dnsManagementPort = dnsManagementPort;
  }

  /**
   * Starts challtestsrv and pebble under {@code dir}.
   *
   * @param httpPort where pebble connects for http-01 validation
   */
  public static Pebble start(Path dir, int httpPort) throws IOException, InterruptedException {
    return start(dir, httpPort, FreePorts.next());
  }

  /**
   * Starts challtestsrv and pebble under {@code dir}.
   *
   * @param httpPort where pebble connects for http-01 validation
   * @param tlsPort where pebble connects for tls-alpn-01 validation
   */
  public static Pebble start(Path dir, int httpPort, int tlsPort) throws IOException, InterruptedException {
    return start(dir, httpPort, tlsPort, Map.of());
  }

  /**
   * Starts challtestsrv and pebble under {@code dir}, pebble with {@code env} besides the test's
   * own settings ({@code PEBBLE_WFE_NONCEREJECT=30} to refuse 30% of nonces, say).
   */
  public static Pebble start(Path dir, int httpPort, int tlsPort, Map<String, String> env)
      throws IOException, InterruptedException {
    return start(dir, httpPort, tlsPort, env, java.util.Optional.empty());
  }

  /** As {@link #start(Path, int, int, Map)}, issuing certificates valid for {@code validity} when given. */
  public static Pebble start(Path dir, int httpPort, int tlsPort, Map<String, String> env,
      java.util.Optional<Duration> validity) throws IOException, InterruptedException {
    if (!Files.isExecutable(Path.of("/usr/bin/pebble")) || !Files.isExecutable(Path.of("/usr/bin/pebble-challtestsrv"))) {
      String what = "pebble is not installed (apt-get install pebble)";
      if ("true".equals(System.getenv(PostgresCluster.CI))) {
        throw new AssertionError("ACME tests cannot run: " + what + "; CI=true requires them");
      }
      Assumptions.abort("ACME tests skipped: " + what);
    }
    Files.createDirectories(dir);
    // pebble's HTTPS: a CA of our own and a server certificate for 127.0.0.1
    OpenSsl.run(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "tls-ca.key", "-out", "tls-ca.pem", "-subj", "/CN=pebble test TLS CA", "-days", "2");
    OpenSsl.run(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "tls.key", "-out", "tls.csr", "-subj", "/CN=127.0.0.1");
    Files.writeString(dir.resolve("tls.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
        + "extendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n");
    OpenSsl.run(dir, "x509", "-req", "-in", "tls.csr", "-CA", "tls-ca.pem", "-CAkey", "tls-ca.key",
        "-CAcreateserial", "-out", "tls.pem", "-days", "2", "-extfile", "tls.ext");
    int dns = FreePorts.next();
    int port = FreePorts.next();
    int management = FreePorts.next();
    Files.writeString(dir.resolve("pebble.json"), "{\"pebble\": {"
        + "\"listenAddress\": \"127.0.0.1:" + port + "\","
        + "\"managementListenAddress\": \"127.0.0.1:" + management + "\","
        + "\"certificate\": \"" + dir.resolve("tls.pem") + "\","
        + "\"privateKey\": \"" + dir.resolve("tls.key") + "\","
        + "\"httpPort\": " + httpPort + ", \"tlsPort\": " + tlsPort + ","
        + validity.map(v -> "\"certificateValidityPeriod\": " + v.toSeconds() + ",").orElse("")
        + "\"ocspResponderURL\": \"\", \"externalAccountBindingRequired\": false}}\n");
    int dnsManagement = FreePorts.next();
    Pebble p = new Pebble(dir, port, management, dnsManagement);
    try {
      p.processes.add(spawn(dir, "challtestsrv", Map.of(), "/usr/bin/pebble-challtestsrv",
          "-dns01", "127.0.0.1:" + dns, "-http01", "", "-https01", "", "-tlsalpn01", "",
          "-management", "127.0.0.1:" + dnsManagement, "-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""));
      // no reuse of valid authorizations: every order is validated, so a test sees its challenges answered
      Map<String, String> pebbleEnv = new java.util.HashMap<>(Map.of("PEBBLE_VA_NOSLEEP", "1", "PEBBLE_AUTHZREUSE", "0"));
      pebbleEnv.putAll(env);
      p.processes.add(spawn(dir, "pebble", pebbleEnv,
          "/usr/bin/pebble",
          "-config", dir.resolve("pebble.json").toString(), "-dnsserver", "127.0.0.1:" + dns, "-strict=false"));
      p.awaitDirectory(Duration.ofSeconds(30));
    } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
      p.close();
      throw e;
    }
    return p;
  }

  private static Process spawn(Path dir, String name, Map<String, String> env, String... cmd) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().putAll(env);
    return pb.start();
  }

  /** Pebble's HTTPS certificate (for 127.0.0.1, issued by {@link #tlsCa}) and its key. */
  public Path tlsCertificate() {
    return dir.resolve("tls.pem");
  }

  public Path tlsKey() {
    return dir.resolve("tls.key");
  }

  /** The ACME directory URL. */
  public String directory() {
    return "https://127.0.0.1:" + port + "/dir";
  }

  /**
   * The URL of challtestsrv's management API, where a dns-01 hook sets ({@code /set-txt}) and clears
   * ({@code /clear-txt}) TXT records: {@code {"host": "_acme-challenge.NAME.", "value": "..."}}.
   */
  public String dnsManagement() {
    return "http://127.0.0.1:" + dnsManagementPort;
  }

  /** The CA of pebble's own HTTPS (for {@code ca-files:}). */
  public Path tlsCa() {
    return dir.resolve("tls-ca.pem");
  }

  /** The root pebble issues under (its management API's {@code /roots/0}), written to a file. */
  public Path issuingRoot() throws IOException, InterruptedException {
    Path f = dir.resolve("issuing-root.pem");
    Files.writeString(f, management("/roots/0"));
    return f;
  }

  /** What pebble says of the certificate with this serial (lowercase hex): its JSON, with {@code "Status"}. */
  public String certificateStatus(String serialHex) throws IOException, InterruptedException {
    return management("/cert-status-by-serial/" + serialHex);
  }

  /** What pebble logged so far. */
  public String log() throws IOException {
    return Files.readString(dir.resolve("pebble.log"));
  }

  private String management(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = client().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + managementPort
        + path)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("pebble management " + path + ": HTTP " + r.statusCode());
    }
    return r.body();
  }

  private void awaitDirectory(Duration timeout) throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    HttpClient client = client();
    while (true) {
      for (Process proc : processes) {
        if (!proc.isAlive()) {
          throw new IOException("a pebble process ended: " + Files.readString(dir.resolve("pebble.log"))
              + Files.readString(dir.resolve("challtestsrv.log")));
        }
      }
      try {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(directory()))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IOException("pebble did not answer within " + timeout + ": " + log());
      }
      Thread.sleep(100);
    }
  }

  private HttpClient client() throws IOException {
    try {
      KeyStore ts = KeyStore.getInstance(KeyStore.getDefaultType());
      ts.load(null, null);
      try (var in = Files.newInputStream(tlsCa())) {
        ts.setCertificateEntry("pebble-tls", CertificateFactory.getInstance("X.509").generateCertificate(in));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ts);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException(e);
    }
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
