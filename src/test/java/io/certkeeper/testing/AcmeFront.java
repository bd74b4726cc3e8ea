package io.certkeeper.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.certkeeper.serve.KeyMaterial;
import io.certkeeper.util.Json;
import io.certkeeper.x509.Pem;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * What pebble 2.4 lacks, in front of it: an HTTPS server (with pebble's TLS certificate) whose
 * directories are pebble's plus
 * <ul>
 *   <li>{@code /dir}: a {@code renewalInfo} resource (ARI, RFC 9773) answered here with the window
 *       the test sets, and a Retry-After;</li>
 *   <li>{@code /dir-limited}: the same, but {@code newOrder} here, where every order gets
 *       {@code 429 rateLimited} with a Retry-After.</li>
 * </ul>
 * Every other resource of the directories is pebble's own URL, so the client signs its requests
 * for pebble and talks to it directly.
 */
public final class AcmeFront implements AutoCloseable {
  /** A suggested window, with the Retry-After (seconds) and explanation to send along. */
  public record Window(Instant start, Instant end, int retryAfterSeconds, String explanation) {}

  private final HttpsServer server;
  private final Pebble pebble;
  private final HttpClient client;
  private final AtomicReference<Window> window = new AtomicReference<>();
  private final java.util.Map<String, Window> windowFor = new java.util.concurrent.ConcurrentHashMap<>();
  private final List<String> renewalInfoAsked = new CopyOnWriteArrayList<>();
  private final AtomicInteger limitedOrders = new AtomicInteger();
  private final int retryAfterSeconds;

  private AcmeFront(HttpsServer server, Pebble pebble, HttpClient client, int retryAfterSeconds) {
    this.server = server;
    this.pebble = pebble;
    this.client = client;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /**
   * Starts in front of {@code pebble}.
   *
   * @param retryAfterSeconds the Retry-After of every refused order
   */
  public static AcmeFront start(Pebble pebble, int retryAfterSeconds) throws Exception {
    KeyMaterial m = KeyMaterial.fromPem(Files.readAllBytes(pebble.tlsCertificate()),
        Files.readAllBytes(pebble.tlsKey()));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("tls", m.key(), new char[0], m.chain().toArray(new Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    SSLContext serverTls = SSLContext.getInstance("TLS");
    serverTls.init(kmf.getKeyManagers(), null, null);

    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    int i = 0;
    for (X509Certificate c : Pem.readCertificates(pebble.tlsCa())) {
      trust.setCertificateEntry("ca" + i++, c);
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext clientTls = SSLContext.getInstance("TLS");
    clientTls.init(null, tmf.getTrustManagers(), null);
    HttpClient client = HttpClient.newBuilder().sslContext(clientTls).connectTimeout(Duration.ofSeconds(10)).build();

    HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.setHttpsConfigurator(new HttpsConfigurator(serverTls));
    server.setExecutor(Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "acme-front");
      t.setDaemon(true);
      return t;
    }));
    AcmeFront front = new AcmeFront(server, pebble, client, retryAfterSeconds);
    server.createContext("/", front::handle);
    server.start();
    return front;
  }

  /** The directory with renewal information. */
  public String directory() {
    return base() + "/dir";
  }

  /** The directory whose orders are all refused as rate-limited. */
  public String limitedDirectory() {
    return base() + "/dir-limited";
  }

  /** Sets the window every renewal information request gets from now on. */
  public void window(Window w) {
    window.set(w);
  }

  /** Sets the window of the certificate with ARI ID {@code certId} (RFC 9773 4.1), whatever {@link #window} says. */
  public void window(String certId, Window w) {
    windowFor.put(certId, w);
  }

  /** The certificate IDs renewal information was asked for, oldest first. */
  public List<String> renewalInfoAsked() {
    return List.copyOf(renewalInfoAsked);
  }

  /** How many orders were refused as rate-limited. */
  public int limitedOrders() {
    return limitedOrders.get();
  }

  private String base() {
    return "https://127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange x) throws IOException {
    try (x) {
      String path = x.getRequestURI().getPath();
      if (x.getRequestMethod().equals("GET") && (path.equals("/dir") || path.equals("/dir-limited"))) {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(pebble.directory()))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        ObjectNode dir = (ObjectNode) Json.mapper().readTree(r.body());
        dir.put("renewalInfo", base() + "/ari/");
        if (path.equals("/dir-limited")) {
          dir.put("newOrder", base() + "/order-plz");
        }
        send(x, 200, "application/json", dir.toString());
      } else if (x.getRequestMethod().equals("GET") && path.startsWith("/ari/")) {
        String id = path.substring("/ari/".length());
        renewalInfoAsked.add(id);
        Window w = windowFor.getOrDefault(id, window.get());
        if (w == null) {
          send(x, 404, "application/problem+json", "{\"type\": \"urn:ietf:params:acme:error:malformed\"}");
          return;
        }
        x.getResponseHeaders().set("Retry-After", String.valueOf(w.retryAfterSeconds()));
        send(x, 200, "application/json", "{\"suggestedWindow\": {\"start\": \"" + w.start() + "\", \"end\": \""
            + w.end() + "\"}" + (w.explanation() == null ? "" : ", \"explanationURL\": \"" + w.explanation() + "\"")
            + "}");
      } else if (x.getRequestMethod().equals("POST") && path.equals("/order-plz")) {
        x.getRequestBody().readAllBytes();
        limitedOrders.incrementAndGet();
        x.getResponseHeaders().set("Retry-After", String.valueOf(retryAfterSeconds));
        send(x, 429, "application/problem+json", "{\"type\": \"urn:ietf:params:acme:error:rateLimited\","
            + " \"detail\": \"too many new orders recently\"}");
      } else {
        send(x, 404, "text/plain", "not here\n");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void send(HttpExchange x, int status, String type, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", type);
    x.sendResponseHeaders(status, b.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(b);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
