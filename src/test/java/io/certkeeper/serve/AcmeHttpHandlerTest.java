package io.certkeeper.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * An {@code acme-http} listener on a real socket: the published answer for a token, 404 for
 * everything else, 405 for other methods, 503 when the lookup fails; it never says more.
 */
class AcmeHttpHandlerTest {
  private static final String TOKEN = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";

  private static HttpResponse<String> send(HttpClient c, String method, InetSocketAddress at, String path)
      throws Exception {
    return c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answersPublishedTokensAndNothingElse() throws Exception {
    Map<String, String> published = Map.of(TOKEN, TOKEN + ".thumbprint");
    AcmeHttpHandler handler = new AcmeHttpHandler("http", token -> Optional.ofNullable(published.get(token)));
    try (PlainHttpListener l = PlainHttpListener.start("http", new InetSocketAddress("127.0.0.1", 0), handler,
        new HttpLimits(Duration.ofSeconds(5), Duration.ofSeconds(5)), 16, Clock.systemUTC())) {
      HttpClient c = HttpClient.newHttpClient();
      HttpResponse<String> ok = send(c, "GET", l.address(), AcmeHttpHandler.PREFIX + TOKEN);
      assertEquals(200, ok.statusCode());
      assertEquals(TOKEN + ".thumbprint", ok.body());
      assertEquals(404, send(c, "GET", l.address(), AcmeHttpHandler.PREFIX + "unknown").statusCode());
      assertEquals(404, send(c, "GET", l.address(), "/").statusCode());
      assertEquals(404, send(c, "GET", l.address(), AcmeHttpHandler.PREFIX + TOKEN + "/..").statusCode());
      assertEquals(404, send(c, "GET", l.address(), AcmeHttpHandler.PREFIX + "a".repeat(300)).statusCode());
      assertEquals(404, send(c, "GET", l.address(), AcmeHttpHandler.PREFIX + "t%2Fx").statusCode());
      HttpResponse<String> post = send(c, "POST", l.address(), AcmeHttpHandler.PREFIX + TOKEN);
      assertEquals(405, post.statusCode());
      assertEquals(Optional.of("GET, HEAD"), post.headers().firstValue("allow"));
      assertEquals(200, send(c, "HEAD", l.address(), AcmeHttpHandler.PREFIX + TOKEN).statusCode());
      assertEquals(200, send(c, "GET", l.address(), AcmeHttpHandler.PREFIX + TOKEN + "?x=1").statusCode());
    }
  }

  @Test
  void aFailingLookupIs503AndTheListenerCarriesOn() throws Exception {
    AcmeHttpHandler handler = new AcmeHttpHandler("http", token -> {
      if (token.equals("broken")) {
        throw new IllegalStateException("store down");
      }
      return Optional.of("fine");
    });
    try (PlainHttpListener l = PlainHttpListener.start("http", new InetSocketAddress("127.0.0.1", 0), handler,
        new HttpLimits(Duration.ofSeconds(5), Duration.ofSeconds(5)), 16, Clock.systemUTC())) {
      HttpClient c = HttpClient.newHttpClient();
      HttpResponse<String> broken = send(c, "GET", l.address(), AcmeHttpHandler.PREFIX + "broken");
      assertEquals(503, broken.statusCode());
      assertEquals("cannot look the challenge up\n", broken.body(), "no detail of the failure leaks");
      assertEquals(200, send(c, "GET", l.address(), AcmeHttpHandler.PREFIX + "other").statusCode());
    }
  }

  /** The status line and headers of a raw HTTP/1.1 GET with {@code host} as its Host header. */
  private static String rawGet(InetSocketAddress at, String target, String host) throws Exception {
    try (java.net.Socket s = new java.net.Socket(at.getAddress(), at.getPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      String all = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
      return all.substring(0, Math.max(0, all.indexOf("\r\n\r\n")));
    }
  }

  @Test
  void redirectsWhatIsNotAChallengeToHttpsWhenAskedTo() throws Exception {
    AcmeHttpHandler handler = new AcmeHttpHandler("http", token -> Optional.of(token + ".thumbprint"), true);
    try (PlainHttpListener l = PlainHttpListener.start("http", new InetSocketAddress("127.0.0.1", 0), handler,
        new HttpLimits(Duration.ofSeconds(5), Duration.ofSeconds(5)), 16, Clock.systemUTC())) {
      String moved = rawGet(l.address(), "/shop/cart?id=7", "www.example.com:80");
      assertTrue(moved.startsWith("HTTP/1.1 301"), moved);
      assertTrue(moved.toLowerCase(java.util.Locale.ROOT).contains("location: https://www.example.com/shop/cart?id=7"),
          moved);
      String v6 = rawGet(l.address(), "/", "[2001:db8::1]:8080");
      assertTrue(v6.toLowerCase(java.util.Locale.ROOT).contains("location: https://[2001:db8::1]/"), v6);
      assertTrue(rawGet(l.address(), "/", "evil.example/x").startsWith("HTTP/1.1 400"), "no odd Host is echoed");
      assertTrue(rawGet(l.address(), "http://other.example/", "www.example.com").startsWith("HTTP/1.1 400"));
      String challenge = rawGet(l.address(), AcmeHttpHandler.PREFIX + TOKEN, "www.example.com");
      assertTrue(challenge.startsWith("HTTP/1.1 200"), "challenges are answered, not redirected: " + challenge);
    }
  }
}
