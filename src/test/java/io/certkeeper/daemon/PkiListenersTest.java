package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.ca.CrlPublisher;
import io.certkeeper.ca.InitRequest;
import io.certkeeper.ca.IssueRequest;
import io.certkeeper.ca.IssuedCertificate;
import io.certkeeper.ca.Issuer;
import io.certkeeper.ca.LeafUrls;
import io.certkeeper.ca.LocalCa;
import io.certkeeper.ca.Profile;
import io.certkeeper.ca.RevocationReason;
import io.certkeeper.config.Config;
import io.certkeeper.config.ConfigLoader;
import io.certkeeper.config.ListenerConfig;
import io.certkeeper.renew.CaPolicies;
import io.certkeeper.serve.HttpLimits;
import io.certkeeper.serve.PlainHttpListener;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.Store;
import io.certkeeper.testing.FreePorts;
import io.certkeeper.testing.OpenSsl;
import io.certkeeper.x509.KeyType;
import io.certkeeper.x509.Pem;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local CA's OCSP responder and PKI documents behind real plain-HTTP listeners on 127.0.0.1,
 * judged by {@code openssl ocsp} and an HTTP client: good, revoked with its reason, unknown,
 * another issuer's request unauthorized, garbage malformedRequest, the GET form, the caching
 * headers, nonces ignored unless signing on demand; the CRL and the CA certificate at the paths of
 * their URLs. Real store, CA, signer and Netty; no component of ours is replaced.
 */
class PkiListenersTest {
  static final String PASS = "a long enough CA passphrase";
  /** The watch runs every 2 s; a revocation must be seen well within this. */
  static final Duration SEEN_WITHIN = Duration.ofSeconds(20);

  @TempDir Path dir;

  private final Clock clock = Clock.systemUTC();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final List<AutoCloseable> open = new ArrayList<>();
  private Store store;
  private LocalCa ca;
  private IssuedCertificate leaf;
  private int ocspPort;
  private int pkiPort;

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  /** A CA with an intermediate, a leaf naming the responder, and ocsp and pki listeners; {@code ocsp} is ca.ocsp's YAML. */
  private void start(String ocsp) throws Exception {
    ocspPort = FreePorts.next();
    pkiPort = FreePorts.next();
    Files.writeString(dir.resolve("pass"), PASS + "\n");
    Path cfg = dir.resolve("certkeeper.yaml");
    Files.writeString(cfg, String.join("\n",
        "ca:",
        "  passphrase: 'file:" + dir.resolve("pass") + "'",
        "  ocsp-url: 'http://127.0.0.1:" + ocspPort + "/'",
        "  crl-url: 'http://127.0.0.1:" + pkiPort + "/pki/ca.crl'",
        "  issuer-url: 'http://127.0.0.1:" + pkiPort + "/pki/ca.der'",
        "  ocsp: {" + ocsp + "}",
        "listeners:",
        "  - {name: ocsp, bind: '127.0.0.1:" + ocspPort + "', role: ocsp}",
        "  - {name: pki, bind: '127.0.0.1:" + pkiPort + "', role: pki}",
        ""));
    Config config = ConfigLoader.load(cfg);
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    store = Store.openEmbedded(data, 4);
    open.add(store);
    IssuedCertificateRepository repo = new IssuedCertificateRepository(store);
    ca = LocalCa.init(data.resolve("ca"), new InitRequest("OCSP Test CA", KeyType.EC_P256, Duration.ofDays(3650),
        Optional.of(Duration.ofDays(1800))), PASS.toCharArray(), repo, clock);
    CrlPublisher.forCa(ca, repo, clock, Duration.ofDays(7)).publish();
    leaf = Issuer.forCa(ca, CaPolicies.of(config.ca()), repo, clock, LeafUrls.of(config.ca()))
        .issue(IssueRequest.withNewKey("leaf.test", List.of(), KeyType.EC_P256, Duration.ofDays(30), Profile.SERVER));
    Files.writeString(dir.resolve("leaf.pem"), Pem.encode(leaf.certificate()));
    Files.writeString(dir.resolve("ca.pem"), Pem.encode(ca.issuer()));
    Files.writeString(dir.resolve("root.pem"), Pem.encode(ca.root()));

    PkiServices pki = PkiServices.start(config.ca(), data, repo, clock, config.listeners());
    open.add(pki);
    for (ListenerConfig l : config.listeners()) {
      PlainHttpListener listener = PlainHttpListener.start(l.name(),
          new InetSocketAddress(l.bind().host(), l.bind().port()), pki.handler(l, x -> null), HttpLimits.defaults(),
          64, clock);
      open.add(listener::close);
    }
  }

  private OpenSsl.Result ocsp(String... what) throws Exception {
    List<String> args = new ArrayList<>(List.of("ocsp", "-url", "http://127.0.0.1:" + ocspPort + "/",
        "-CAfile", "root.pem", "-resp_text"));
    args.addAll(List.of(what));
    return OpenSsl.run(dir, args.toArray(new String[0]));
  }

  @Test
  void aLeafIsGoodThenRevokedWithItsReasonAndTimeOnceTheStoreSaysSo() throws Exception {
    start("");
    OpenSsl.Result good = ocsp("-issuer", "ca.pem", "-cert", "leaf.pem");
    assertTrue(good.output().contains("Response verify OK"), good.output());
    assertTrue(good.output().contains("leaf.pem: good"), good.output());
    assertTrue(good.output().contains("OCSP Signing"), "the delegated signer is in the response\n" + good.output());
    assertTrue(good.output().contains("Responder Id: ") && !good.output().contains("Responder Id: CN"),
        "responder named by key hash\n" + good.output());
    assertTrue(good.output().contains("OCSP No Check"), good.output());

    CrlPublisher.forCa(ca, new IssuedCertificateRepository(store), clock, Duration.ofDays(7))
        .revoke(leaf.serialHex(), RevocationReason.KEY_COMPROMISE);
    OpenSsl.Result revoked = pollUntil(() -> ocsp("-issuer", "ca.pem", "-cert", "leaf.pem"),
        r -> r.output().contains("leaf.pem: revoked"));
    assertTrue(revoked.output().contains("Response verify OK"), revoked.output());
    assertTrue(revoked.output().contains("Reason: keyCompromise"), revoked.output());
    assertTrue(revoked.output().contains("Revocation Time:"), revoked.output());
  }

  @Test
  void aSerialTheCaNeverIssuedIsUnknownAndAnotherIssuersRequestIsUnauthorized() throws Exception {
    start("");
    OpenSsl.Result unknown = ocsp("-issuer", "ca.pem", "-serial", "0x1234567890abcdef");
    assertTrue(unknown.output().contains("Response verify OK"), unknown.output());
    assertTrue(unknown.output().contains("0x1234567890abcdef: unknown"), unknown.output());

    OpenSsl.Result other = ocsp("-issuer", "root.pem", "-cert", "leaf.pem");
    assertTrue(other.output().contains("unauthorized (6)"), other.output());
  }

  @Test
  void garbageIsMalformedRequestWithStatus200AndAnOversizedBodyIs413() throws Exception {
    start("");
    HttpResponse<byte[]> r = post("this is not an OCSP request".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals(200, r.statusCode());
    assertEquals("application/ocsp-response", r.headers().firstValue("content-type").orElse(""));
    assertEquals(OCSPResp.MALFORMED_REQUEST, new OCSPResp(r.body()).getStatus());
    assertEquals("no-store", r.headers().firstValue("cache-control").orElse(""));

    HttpResponse<byte[]> get = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ocspPort + "/not%20base64"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, get.statusCode());
    assertEquals(OCSPResp.MALFORMED_REQUEST, new OCSPResp(get.body()).getStatus());

    assertEquals(413, post(new byte[9000]).statusCode());

    // a raw POST as curl sends it (a form's Content-Type): malformedRequest too
    Files.writeString(dir.resolve("garbage"), "garbage\n");
    OpenSsl.Result curl = OpenSsl.exec(dir, List.of("curl", "-s", "--max-time", "20", "--data-binary", "@garbage",
        "-o", "answer.der", "-w", "%{http_code}", "http://127.0.0.1:" + ocspPort + "/"));
    assertEquals("200", curl.output().trim());
    assertEquals(OCSPResp.MALFORMED_REQUEST, new OCSPResp(Files.readAllBytes(dir.resolve("answer.der"))).getStatus());
  }

  @Test
  void theGetFormAnswersWithCachingHeadersAndRevalidates() throws Exception {
    start("");
    OpenSsl.run(dir, "ocsp", "-issuer", "ca.pem", "-cert", "leaf.pem", "-no_nonce", "-reqout", "req.der")
        .requireSuccess();
    byte[] req = Files.readAllBytes(dir.resolve("req.der"));
    String standard = java.net.URLEncoder.encode(Base64.getEncoder().encodeToString(req),
        java.nio.charset.StandardCharsets.US_ASCII);
    String urlSafe = Base64.getUrlEncoder().withoutPadding().encodeToString(req);
    HttpResponse<byte[]> first = null;
    for (String path : List.of("/" + standard, "/" + urlSafe, "/some/prefix/" + standard)) {
      HttpResponse<byte[]> r = get("http://127.0.0.1:" + ocspPort + path, Optional.empty());
      assertEquals(200, r.statusCode(), path);
      OCSPResp resp = new OCSPResp(r.body());
      assertEquals(OCSPResp.SUCCESSFUL, resp.getStatus(), path);
      BasicOCSPResp basic = (BasicOCSPResp) resp.getResponseObject();
      assertEquals(leaf.certificate().getSerialNumber(), basic.getResponses()[0].getCertID().getSerialNumber());
      if (first == null) {
        first = r;
      } else {
        assertArrayEquals(first.body(), r.body(), "one pre-signed response for every form of the request");
      }
    }
    String cacheControl = first.headers().firstValue("cache-control").orElse("");
    assertTrue(cacheControl.matches("max-age=\\d+, public, no-transform, must-revalidate"), cacheControl);
    long maxAge = Long.parseLong(cacheControl.replaceAll("max-age=(\\d+),.*", "$1"));
    assertTrue(maxAge > 12 * 3600 && maxAge <= 24 * 3600, "up to nextUpdate (1 day): " + maxAge);
    assertTrue(first.headers().firstValue("last-modified").isPresent(), first.headers().toString());
    assertTrue(first.headers().firstValue("expires").isPresent(), first.headers().toString());
    String etag = first.headers().firstValue("etag").orElseThrow();
    assertEquals(304, get("http://127.0.0.1:" + ocspPort + "/" + urlSafe, Optional.of(etag)).statusCode());
  }

  @Test
  void aNonceIsIgnoredByDefault() throws Exception {
    start("");
    OpenSsl.Result r = ocsp("-issuer", "ca.pem", "-cert", "leaf.pem", "-nonce");
    assertTrue(r.output().contains("leaf.pem: good"), r.output());
    assertTrue(r.output().contains("WARNING: no nonce in response"), r.output());
    assertFalse(r.output().contains("OCSP Nonce"), r.output());
  }

  @Test
  void aNonceIsEchoedWhenSigningOnDemand() throws Exception {
    start("sign-on-demand: true");
    OpenSsl.Result r = ocsp("-issuer", "ca.pem", "-cert", "leaf.pem", "-nonce");
    assertTrue(r.output().contains("Response verify OK"), r.output());
    assertTrue(r.output().contains("leaf.pem: good"), r.output());
    assertFalse(r.output().contains("no nonce in response"), r.output());
    assertTrue(r.output().contains("OCSP Nonce"), r.output());
  }

  @Test
  void theCrlAndTheCaCertificateAreServedAtTheirUrlsPathsOnly() throws Exception {
    start("");
    HttpResponse<byte[]> crl = get("http://127.0.0.1:" + pkiPort + "/pki/ca.crl", Optional.empty());
    assertEquals(200, crl.statusCode());
    assertEquals("application/pkix-crl", crl.headers().firstValue("content-type").orElse(""));
    X509CRL parsed = (X509CRL) CertificateFactory.getInstance("X.509")
        .generateCRL(new java.io.ByteArrayInputStream(crl.body()));
    parsed.verify(ca.issuer().getPublicKey());
    assertArrayEquals(Files.readAllBytes(dir.resolve("data/ca/crl.der")), crl.body());
    assertTrue(crl.headers().firstValue("cache-control").orElse("").contains("must-revalidate"), crl.headers().toString());
    assertTrue(crl.headers().firstValue("etag").isPresent());

    HttpResponse<byte[]> cert = get("http://127.0.0.1:" + pkiPort + "/pki/ca.der", Optional.empty());
    assertEquals(200, cert.statusCode());
    assertEquals("application/pkix-cert", cert.headers().firstValue("content-type").orElse(""));
    X509Certificate served = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new java.io.ByteArrayInputStream(cert.body()));
    assertEquals(ca.issuer(), served);

    assertEquals(404, get("http://127.0.0.1:" + pkiPort + "/pki/other", Optional.empty()).statusCode());
    assertEquals(404, get("http://127.0.0.1:" + pkiPort + "/", Optional.empty()).statusCode());

    // a revocation writes a new CRL: the next request serves it
    CrlPublisher.forCa(ca, new IssuedCertificateRepository(store), clock, Duration.ofDays(7))
        .revoke(leaf.serialHex(), RevocationReason.SUPERSEDED);
    HttpResponse<byte[]> after = get("http://127.0.0.1:" + pkiPort + "/pki/ca.crl", Optional.empty());
    X509CRL newer = (X509CRL) CertificateFactory.getInstance("X.509")
        .generateCRL(new java.io.ByteArrayInputStream(after.body()));
    assertTrue(newer.isRevoked(leaf.certificate()), "the CRL served lists the revocation");
  }

  private HttpResponse<byte[]> post(byte[] body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ocspPort + "/"))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/ocsp-request")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpResponse<byte[]> get(String url, Optional<String> ifNoneMatch) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    ifNoneMatch.ifPresent(e -> b.header("If-None-Match", e));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @FunctionalInterface
  interface Attempt<T> {
    T run() throws Exception;
  }

  /** Runs {@code attempt} until {@code done} holds, failing with the last result after {@link #SEEN_WITHIN}. */
  static <T> T pollUntil(Attempt<T> attempt, java.util.function.Predicate<T> done) throws Exception {
    long deadline = System.nanoTime() + SEEN_WITHIN.toNanos();
    T last = attempt.run();
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + SEEN_WITHIN + ": " + last);
      }
      Thread.sleep(100);
      last = attempt.run();
    }
    return last;
  }
}
