package io.certkeeper.probe;

import io.certkeeper.testing.OpenSslServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.x509.TrustAnchors;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Misissued and misconfigured chains served over real TLS on loopback, judged by the strict
 * validator the way {@code certkeeper probe} judges them: the chain is always captured, and the
 * exact problems are named.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProbeValidationZooTest {
  @TempDir
  static java.nio.file.Path dir;

  private final List<AutoCloseable> closeAtEnd = new ArrayList<>();
  private TestPki.Held root;
  private TestPki.Held intermediate;
  private Prober prober;
  private ProbeJudge judge;

  @BeforeAll
  void start() {
    root = TestPki.spec("Validation Zoo Root").keys(TestPki.ec()).ca().selfSigned();
    intermediate = TestPki.spec("Validation Zoo Intermediate").keys(TestPki.ec()).ca().issuedBy(root);
    prober = Prober.start(ProbeOptions.builder().timeout(Duration.ofSeconds(8)).build(), 2);
    closeAtEnd.add(prober);
    judge = ProbeJudge.strict(TrustAnchors.of(List.of(root.cert())), ExpiryThresholds.defaults(), Clock.systemUTC());
  }

  @AfterAll
  void stop() throws Exception {
    for (AutoCloseable c : closeAtEnd) {
      c.close();
    }
  }

  /** Serves {@code leaf} with {@code chain} on a new loopback port and probes it as localhost. */
  private ProbeResult serveAndProbe(TestPki.Held leaf, X509Certificate... chain) throws Exception {
    return serveAndProbe(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK, leaf, chain);
  }

  private ProbeResult serveAndProbe(SslProvider provider, TestPki.Held leaf, X509Certificate... chain) throws Exception {
    List<X509Certificate> certs = new ArrayList<>();
    certs.add(leaf.cert());
    certs.addAll(List.of(chain));
    LoopbackServers.NettyTls server = new LoopbackServers.NettyTls(
        SslContextBuilder.forServer(leaf.key(), certs.toArray(new X509Certificate[0]))
            .sslProvider(provider).build());
    closeAtEnd.add(server);
    int port = server.bind();
    ProbeCapture capture = prober.probe(ProbeTarget.parse("localhost:" + port)).join();
    assertFalse(capture.chain().isEmpty(), "the chain is captured whatever is wrong with it: " + capture);
    return judge.judge(capture);
  }

  private TestPki.Spec leaf() {
    return TestPki.spec("localhost").keys(TestPki.ec()).dns("localhost");
  }

  private static void assertProblems(ProbeResult r, String... codes) {
    assertEquals(List.of(codes), r.problemCodes(), r.message());
    assertEquals(codes.length == 0 ? "ok" : codes[0], r.statusCode(), r.message());
    assertEquals(codes.length == 0, r.validPath(), r.message());
  }

  @Test
  void goodChainIsOkAndRecordsTheExpiryOfTheValidatedPath() throws Exception {
    Instant soon = Instant.now().plus(Duration.ofDays(60));
    TestPki.Held shortIntermediate = TestPki.spec("Short Intermediate").keys(TestPki.ec()).ca()
        .validFor(Instant.now().minus(Duration.ofDays(1)), soon).issuedBy(root);
    ProbeResult r = serveAndProbe(leaf().issuedBy(shortIntermediate), shortIntermediate.cert());
    assertProblems(r);
    // the leaf lives 90 days, but the path ends with the intermediate
    assertEquals(soon.getEpochSecond(), r.pathNotAfter().orElseThrow().getEpochSecond());
  }

  @Test
  void unorderedChainWithExtrasIsStillValid() throws Exception {
    TestPki.Held stray = TestPki.spec("Stray").keys(TestPki.ec()).ca().selfSigned();
    TestPki.Held l = TestPki.spec("localhost").dns("localhost").issuedBy(intermediate);
    TestPki.writePem(dir.resolve("u-leaf.pem"), l.cert());
    TestPki.writePem(dir.resolve("u-leaf.key"), l.key());
    TestPki.writePem(dir.resolve("u-chain.pem"), stray.cert(), root.cert(), intermediate.cert());
    OpenSslServer server = OpenSslServer.start(dir, "-cert", dir.resolve("u-leaf.pem").toString(),
        "-key", dir.resolve("u-leaf.key").toString(), "-cert_chain", dir.resolve("u-chain.pem").toString());
    closeAtEnd.add(server);
    ProbeCapture capture = prober.probe(ProbeTarget.parse("localhost:" + server.port())).join();
    assertEquals(4, capture.chain().size(), capture.toString());
    assertProblems(judge.judge(capture));
  }

  @Test
  void expired() throws Exception {
    TestPki.Held l = leaf().validFor(Instant.now().minus(Duration.ofDays(100)), Instant.now().minus(Duration.ofDays(1)))
        .issuedBy(intermediate);
    assertProblems(serveAndProbe(l, intermediate.cert()), "expired");
  }

  @Test
  void notYetValid() throws Exception {
    TestPki.Held l = leaf().validFor(Instant.now().plus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(90)))
        .issuedBy(intermediate);
    assertProblems(serveAndProbe(l, intermediate.cert()), "not_yet_valid");
  }

  @Test
  void expiringWithinTheWarningThreshold() throws Exception {
    TestPki.Held l = leaf().validFor(Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(10)))
        .issuedBy(intermediate);
    ProbeResult r = serveAndProbe(l, intermediate.cert());
    assertEquals(List.of("expiring"), r.problemCodes(), r.message());
    assertTrue(r.validPath());
  }

  @Test
  void selfSigned() throws Exception {
    assertProblems(serveAndProbe(leaf().selfSigned()), "self_signed");
  }

  @Test
  void unknownRoot() throws Exception {
    TestPki.Held otherRoot = TestPki.spec("Other Root").keys(TestPki.ec()).ca().selfSigned();
    TestPki.Held otherIntermediate = TestPki.spec("Other Intermediate").keys(TestPki.ec()).ca().issuedBy(otherRoot);
    // a server that sends its (unknown) root along
    assertProblems(serveAndProbe(leaf().issuedBy(otherIntermediate), otherIntermediate.cert(), otherRoot.cert()),
        "untrusted_root");
    // without the root, the validator cannot tell an unknown root from a missing intermediate
    assertProblems(serveAndProbe(leaf().issuedBy(otherIntermediate), otherIntermediate.cert()), "incomplete_chain");
  }

  @Test
  void missingIntermediate() throws Exception {
    assertProblems(serveAndProbe(leaf().issuedBy(intermediate)), "incomplete_chain");
  }

  @Test
  void wrongHost() throws Exception {
    TestPki.Held l = TestPki.spec("www.example.com").keys(TestPki.ec()).dns("www.example.com").issuedBy(intermediate);
    assertProblems(serveAndProbe(l, intermediate.cert()), "hostname_mismatch");
  }

  @Test
  void commonNameOnlyIsNotAName() throws Exception {
    TestPki.Held l = TestPki.spec("localhost").keys(TestPki.ec()).issuedBy(intermediate);
    assertProblems(serveAndProbe(l, intermediate.cert()), "hostname_mismatch");
  }

  @Test
  void wrongEku() throws Exception {
    TestPki.Held l = leaf().eku(KeyPurposeId.id_kp_clientAuth).issuedBy(intermediate);
    assertProblems(serveAndProbe(l, intermediate.cert()), "wrong_eku");
  }

  @Test
  void sha1Intermediate() throws Exception {
    TestPki.Held rsaRoot = TestPki.spec("RSA Zoo Root").ca().selfSigned();
    TestPki.Held sha1 = TestPki.spec("SHA-1 Intermediate").ca().signedWith("SHA1withRSA").issuedBy(rsaRoot);
    ProbeJudge rsaJudge = ProbeJudge.strict(TrustAnchors.of(List.of(rsaRoot.cert())), ExpiryThresholds.defaults(),
        Clock.systemUTC());
    TestPki.Held l = TestPki.spec("localhost").dns("localhost").issuedBy(sha1);
    LoopbackServers.NettyTls server = new LoopbackServers.NettyTls(SslContextBuilder.forServer(l.key(), l.cert(), sha1.cert())
        .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK).build());
    closeAtEnd.add(server);
    ProbeResult r = rsaJudge.judge(prober.probe(ProbeTarget.parse("localhost:" + server.bind())).join());
    assertProblems(r, "weak_signature");
  }

  @Test
  void revokedByTheCrlAtItsDistributionPointWhenRevocationIsChecked() throws Exception {
    com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/intermediate.crl";
    TestPki.Held revoked = leaf().crlUrl(url).issuedBy(intermediate);
    TestPki.Held fine = leaf().crlUrl(url).issuedBy(intermediate);
    byte[] crl = TestPki.crl(intermediate, revoked.cert()).getEncoded();
    java.util.concurrent.atomic.AtomicInteger fetches = new java.util.concurrent.atomic.AtomicInteger();
    http.createContext("/intermediate.crl", ex -> {
      fetches.incrementAndGet();
      ex.sendResponseHeaders(200, crl.length);
      ex.getResponseBody().write(crl);
      ex.close();
    });
    http.start();
    closeAtEnd.add(() -> http.stop(0));
    ProbeResult unchecked = serveAndProbe(revoked, intermediate.cert());
    assertProblems(unchecked);

    RevocationFetcher fetcher = RevocationFetcher.create(Duration.ofSeconds(5), java.time.Clock.systemUTC());
    LoopbackServers.NettyTls server = new LoopbackServers.NettyTls(
        SslContextBuilder.forServer(revoked.key(), revoked.cert(), intermediate.cert())
            .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK).build());
    closeAtEnd.add(server);
    ProbeCapture capture = prober.probe(ProbeTarget.parse("localhost:" + server.bind())).join();
    FetchedRevocation rev = fetcher.fetch(capture.chain());
    assertEquals(List.of(), rev.errors());
    assertProblems(judge.judge(capture, rev), "revoked");

    LoopbackServers.NettyTls fineServer = new LoopbackServers.NettyTls(
        SslContextBuilder.forServer(fine.key(), fine.cert(), intermediate.cert())
            .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK).build());
    closeAtEnd.add(fineServer);
    ProbeCapture fineCapture = prober.probe(ProbeTarget.parse("localhost:" + fineServer.bind())).join();
    assertProblems(judge.judge(fineCapture, fetcher.fetch(fineCapture.chain())));
    assertEquals(1, fetches.get(), "the CRL is fetched once per fetcher");
  }

  @Test
  void rsa1024Leaf() throws Exception {
    TestPki.Held rsaRoot = TestPki.spec("RSA Zoo Root 2").ca().selfSigned();
    TestPki.Held l = TestPki.spec("localhost").keys(TestPki.rsa(1024)).dns("localhost").issuedBy(rsaRoot);
    ProbeJudge rsaJudge = ProbeJudge.strict(TrustAnchors.of(List.of(rsaRoot.cert())), ExpiryThresholds.defaults(),
        Clock.systemUTC());
    LoopbackServers.NettyTls server = new LoopbackServers.NettyTls(SslContextBuilder.forServer(l.key(), l.cert())
        .sslProvider(SslProvider.JDK).build());
    closeAtEnd.add(server);
    ProbeResult r = rsaJudge.judge(prober.probe(ProbeTarget.parse("localhost:" + server.bind())).join());
    assertProblems(r, "weak_key");
  }
}
