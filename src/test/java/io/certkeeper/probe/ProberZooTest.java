package io.certkeeper.probe;

import io.certkeeper.testing.OpenSslServer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A zoo of endpoints on 127.0.0.1 — Netty servers, {@code openssl s_server} processes, and small
 * hand-written servers — each probed for real, asserting the exact status and problems.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProberZooTest {
  @TempDir
  static Path dir;

  private final List<AutoCloseable> closeAtEnd = new ArrayList<>();
  private TestPki.Held root;
  private TestPki.Held intermediate;
  private TestPki.Held leaf;
  private Prober prober;
  private ProbeJudge judge;
  private LoopbackServers.NettyTls goodServer;
  private int goodPort;

  @BeforeAll
  void startZoo() throws Exception {
    root = TestPki.spec("Zoo Root").ca().selfSigned();
    intermediate = TestPki.spec("Zoo Intermediate").ca().issuedBy(root);
    leaf = TestPki.spec("localhost").dns("localhost").ip("127.0.0.1").issuedBy(intermediate);
    TestPki.writePem(dir.resolve("root.pem"), root.cert());
    TestPki.writePem(dir.resolve("inter.pem"), intermediate.cert());
    TestPki.writePem(dir.resolve("inter.key"), intermediate.key());
    TestPki.writePem(dir.resolve("leaf.pem"), leaf.cert());
    TestPki.writePem(dir.resolve("leaf.key"), leaf.key());

    goodServer = nettyServer(SslContextBuilder.forServer(leaf.key(), leaf.cert(),
        intermediate.cert()));
    goodPort = goodServer.bind();

    prober = Prober.start(ProbeOptions.builder().timeout(Duration.ofSeconds(8)).build(), 2);
    closeAtEnd.add(prober);
    judge = new ProbeJudge(ChainJudge.none(), ExpiryThresholds.defaults(), Clock.systemUTC());
  }

  @AfterAll
  void stopZoo() throws Exception {
    for (AutoCloseable c : closeAtEnd) {
      c.close();
    }
  }

  private LoopbackServers.NettyTls nettyServer(SslContextBuilder builder) throws IOException {
    SslContext ctx = builder.sslProvider(io.netty.handler.ssl.OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK).build();
    LoopbackServers.NettyTls server = new LoopbackServers.NettyTls(ctx);
    closeAtEnd.add(server);
    return server;
  }

  private OpenSslServer openssl(String... args) throws Exception {
    OpenSslServer server = OpenSslServer.start(dir, args);
    closeAtEnd.add(server);
    return server;
  }

  private ProbeResult probe(Prober p, String target) {
    ProbeCapture capture = p.probe(ProbeTarget.parse(target)).join();
    return judge.judge(capture);
  }

  private static void assertProblems(ProbeResult result, String... codes) {
    assertEquals(List.of(codes), result.problemCodes(), result.message());
    assertEquals(codes.length == 0 ? "ok" : codes[0], result.statusCode(), result.message());
  }

  @Test
  void goodRsaEndpointYieldsChainInOrderSentWithSniAndTls13() {
    goodServer.sniNames.clear();
    ProbeCapture capture = prober.probe(ProbeTarget.parse("localhost:" + goodPort)).join();

    assertFalse(capture.failed(), capture.toString());
    assertEquals("TLSv1.3", capture.protocol().orElseThrow());
    assertTrue(capture.cipher().orElseThrow().startsWith("TLS_"), capture.toString());
    assertEquals(List.of(leaf.cert(), intermediate.cert()), capture.chain());
    assertEquals("127.0.0.1", capture.address().orElseThrow());
    assertEquals(List.of("localhost"), List.copyOf(goodServer.sniNames));
    assertFalse(capture.legacyHandshake());
    assertTrue(capture.timings().totalMs() >= capture.timings().handshakeMs());
    ProbeResult result = judge.judge(capture);
    assertProblems(result);
    assertEquals(89, result.daysLeft().orElseThrow());
    assertEquals(OcspStatus.NONE, result.ocsp());
    assertEquals("RSA", result.chain().get(0).keyAlgorithm());
    assertEquals(2048, result.chain().get(0).keySize());
    assertEquals(List.of("dns:localhost", "ip:127.0.0.1"), result.chain().get(0).sans());
  }

  @Test
  void ipLiteralTargetSendsNoSni() {
    goodServer.sniNames.clear();
    ProbeResult result = probe(prober, "127.0.0.1:" + goodPort);

    assertProblems(result);
    assertEquals(List.of("<none>"), List.copyOf(goodServer.sniNames));
  }

  @Test
  void servernameOptionIsSentAsSni() {
    goodServer.sniNames.clear();
    try (Prober p = Prober.start(ProbeOptions.builder().serverName("www.zoo.test").build(), 1)) {
      ProbeCapture capture = p.probe(ProbeTarget.parse("127.0.0.1:" + goodPort)).join();
      assertFalse(capture.failed(), capture.toString());
      assertEquals("www.zoo.test", capture.serverName());
    }
    assertEquals(List.of("www.zoo.test"), List.copyOf(goodServer.sniNames));
  }

  @Test
  void ecdsaEndpointIsCaptured() throws Exception {
    TestPki.Held ecLeaf = TestPki.spec("localhost").keys(TestPki.ec()).dns("localhost")
        .issuedBy(intermediate);
    int port = nettyServer(SslContextBuilder.forServer(ecLeaf.key(), ecLeaf.cert(),
        intermediate.cert())).bind();

    ProbeResult result = probe(prober, "localhost:" + port);

    assertProblems(result);
    assertEquals("EC", result.chain().get(0).keyAlgorithm());
    assertEquals(256, result.chain().get(0).keySize());
  }

  @Test
  void unorderedChainIsCapturedInTheOrderSent() throws Exception {
    Path chain = TestPki.writePem(dir.resolve("unordered.pem"), root.cert(), intermediate.cert());
    OpenSslServer server = openssl("-cert", dir.resolve("leaf.pem").toString(), "-key",
        dir.resolve("leaf.key").toString(), "-cert_chain", chain.toString());

    ProbeCapture capture = prober.probe(ProbeTarget.parse("localhost:" + server.port())).join();

    assertFalse(capture.failed(), capture.toString());
    assertEquals(List.of(leaf.cert(), root.cert(), intermediate.cert()), capture.chain());
  }

  @Test
  void thousandSanLeafIsCapturedWhole() throws Exception {
    String[] names = new String[1000];
    for (int i = 0; i < names.length; i++) {
      names[i] = "host" + i + ".zoo.test";
    }
    TestPki.Held big = TestPki.spec("host0.zoo.test").dns(names).issuedBy(intermediate);
    int port = nettyServer(SslContextBuilder.forServer(big.key(), big.cert(),
        intermediate.cert())).bind();

    ProbeResult result = probe(prober, "localhost:" + port);

    assertProblems(result);
    assertEquals(1000, result.chain().get(0).sans().size());
    assertEquals("dns:host999.zoo.test", result.chain().get(0).sans().get(999));
  }

  @Test
  void tls10OnlyServerIsSeenAsWeakProtocol() throws Exception {
    OpenSslServer server = openssl("-cert", dir.resolve("leaf.pem").toString(), "-key",
        dir.resolve("leaf.key").toString(), "-cert_chain", dir.resolve("inter.pem").toString(),
        "-tls1", "-cipher", "DEFAULT:@SECLEVEL=0");

    ProbeResult result = probe(prober, "localhost:" + server.port());

    assertProblems(result, "weak_protocol");
    assertEquals("TLSv1", result.protocol().orElseThrow());
    assertEquals(leaf.cert().getSerialNumber().toString(16), result.chain().get(0).serial());
  }

  @Test
  void nullCipherServerIsSeenAsWeakCipherThroughTheLegacyHello() throws Exception {
    OpenSslServer server = openssl("-cert", dir.resolve("leaf.pem").toString(), "-key",
        dir.resolve("leaf.key").toString(), "-cert_chain", dir.resolve("inter.pem").toString(),
        "-tls1_2", "-cipher", "NULL-SHA256:@SECLEVEL=0");

    ProbeCapture capture = prober.probe(ProbeTarget.parse("localhost:" + server.port())).join();
    ProbeResult result = judge.judge(capture);

    assertTrue(capture.legacyHandshake(), capture.toString());
    assertProblems(result, "weak_cipher");
    assertEquals("TLS_RSA_WITH_NULL_SHA256", result.cipher().orElseThrow());
    assertEquals("TLSv1.2", result.protocol().orElseThrow());
    assertEquals(List.of(leaf.cert(), intermediate.cert()), capture.chain());
  }

  @ParameterizedTest
  @ValueSource(strings = {"-tls1_3", "-tls1_2"})
  void serverDemandingAClientCertificateIsClientCertRequired(String protocol) throws Exception {
    OpenSslServer server = openssl("-cert", dir.resolve("leaf.pem").toString(), "-key",
        dir.resolve("leaf.key").toString(), "-Verify", "1", "-CAfile",
        dir.resolve("root.pem").toString(), protocol);

    ProbeCapture capture = prober.probe(ProbeTarget.parse("localhost:" + server.port())).join();
    ProbeResult result = judge.judge(capture);

    assertProblems(result, "client_cert_required");
    assertEquals(leaf.cert(), capture.chain().get(0), "the chain is still captured");
    assertTrue(result.message().contains("handshake"), result.message());
  }

  @Test
  void portThatAcceptsAndNeverAnswersTimesOutInTheHandshake() throws Exception {
    LoopbackServers.Silent silent = new LoopbackServers.Silent();
    closeAtEnd.add(silent);
    try (Prober p = Prober.start(ProbeOptions.builder()
        .handshakeTimeout(Duration.ofMillis(500)).build(), 1)) {
      ProbeResult result = probe(p, "localhost:" + silent.port());

      assertProblems(result, "timeout");
      assertTrue(result.message().startsWith("localhost:" + silent.port() + " handshake:"),
          result.message());
    }
  }

  @Test
  void overallTimeoutStopsAProbeWhereverItIs() throws Exception {
    LoopbackServers.Silent silent = new LoopbackServers.Silent();
    closeAtEnd.add(silent);
    try (Prober p = Prober.start(ProbeOptions.builder()
        .timeout(Duration.ofMillis(400)).build(), 1)) {
      ProbeResult result = probe(p, "localhost:" + silent.port());

      assertProblems(result, "timeout");
      assertTrue(result.timings().totalMs() < 2000, result.timings().toString());
    }
  }

  @Test
  void closedPortIsRefused() throws Exception {
    int port = LoopbackServers.closedPort();

    ProbeResult result = probe(prober, "localhost:" + port);

    assertProblems(result, "refused");
    assertTrue(result.message().matches("localhost:" + port + " connect: connection refused by "
        + "(127\\.0\\.0\\.1|\\[::1\\]|\\[0:0:0:0:0:0:0:1\\]):" + port), result.message());
  }

  @Test
  void closedLoopbackPortIsRefusedInPlainWords() throws Exception {
    int port = LoopbackServers.closedPort();

    ProbeResult result = probe(prober, "127.0.0.1:" + port);

    assertProblems(result, "refused");
    // not "Connection refused: /127.0.0.1:PORT" (Netty's words and InetSocketAddress.toString)
    assertEquals("127.0.0.1:" + port + " connect: connection refused by 127.0.0.1:" + port, result.message());
  }

  @Test
  void plainHttpPortIsNotTls() throws Exception {
    LoopbackServers.PlainHttp http = new LoopbackServers.PlainHttp();
    closeAtEnd.add(http);

    ProbeResult result = probe(prober, "localhost:" + http.port());

    assertProblems(result, "not_tls");
    assertTrue(result.message().contains("HTTP/1.1 400"), result.message());
  }

  @Test
  void unknownHostIsDnsError() {
    ProbeResult result = probe(prober, "no-such-host.invalid:443");

    assertProblems(result, "dns_error");
    // not "cannot resolve Failed to resolve 'no-such-host.invalid' [A(1), AAAA(28)] after 2 queries"; a
    // resolver that does not answer in time is the other way this can end
    assertTrue(result.message().equals("no-such-host.invalid:443 dns: cannot resolve host no-such-host.invalid")
        || result.message().startsWith("no-such-host.invalid:443 dns: no answer for no-such-host.invalid within "),
        result.message());
    assertTrue(result.address().isEmpty());
  }

  @Test
  void smtpStartTlsUpgradesAndCapturesTheChain() throws Exception {
    LoopbackServers.Smtp smtp = new LoopbackServers.Smtp(leaf,
        List.of(leaf.cert(), intermediate.cert()), true);
    closeAtEnd.add(smtp);
    try (Prober p = Prober.start(ProbeOptions.builder().startTls(StartTls.SMTP).build(), 1)) {
      ProbeCapture capture = p.probe(ProbeTarget.parse("localhost:" + smtp.port())).join();

      assertFalse(capture.failed(), capture.toString());
      assertEquals(List.of(leaf.cert(), intermediate.cert()), capture.chain());
      assertProblems(judge.judge(capture));
    }
  }

  @ParameterizedTest
  @EnumSource(StartTls.class)
  void everyStartTlsProtocolUpgradesWithTheRightRequest(StartTls protocol) throws Exception {
    LoopbackServers.StartTlsServer server = new LoopbackServers.StartTlsServer(protocol, leaf);
    closeAtEnd.add(server);
    try (Prober p = Prober.start(ProbeOptions.builder().startTls(protocol).build(), 1)) {
      ProbeCapture capture = p.probe(ProbeTarget.parse("localhost:" + server.port())).join();

      assertFalse(capture.failed(), capture.toString());
      assertEquals(List.of(leaf.cert()), capture.chain());
    }
    String expected = switch (protocol) {
      case SMTP -> "EHLO certkeeper.invalid STARTTLS";
      case IMAP -> "a001 STARTTLS";
      case POP3 -> "STLS";
      case FTP -> "AUTH TLS";
      case LDAP -> "1.3.6.1.4.1.1466.20037";
      case POSTGRES -> "8/80877103";
    };
    assertEquals(expected, String.join(" ", server.requests));
  }

  @Test
  void smallFiniteFieldDhGroupIsWeakCipher() throws Exception {
    Path dh = Path.of(ProberZooTest.class.getResource("/probe/dh1024.pem").toURI());
    OpenSslServer server = openssl("-cert", dir.resolve("leaf.pem").toString(), "-key",
        dir.resolve("leaf.key").toString(), "-tls1_2", "-cipher",
        "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0", "-dhparam", dh.toString());

    ProbeCapture capture = prober.probe(ProbeTarget.parse("localhost:" + server.port())).join();
    ProbeResult result = judge.judge(capture);

    assertEquals(1024, capture.dhGroupBits().orElseThrow(), capture.toString());
    assertEquals("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", result.cipher().orElseThrow());
    assertProblems(result, "weak_cipher");
  }

  @Test
  void jdkFallbackAlsoSeesLegacyServers() throws Exception {
    OpenSslServer server = openssl("-cert", dir.resolve("leaf.pem").toString(), "-key",
        dir.resolve("leaf.key").toString(), "-tls1", "-cipher", "DEFAULT:@SECLEVEL=0");
    try (Prober p = Prober.start(ProbeOptions.defaults(), 1, SslProvider.JDK)) {
      assertEquals("JDK", p.tlsProvider());
      ProbeResult tls10 = probe(p, "localhost:" + server.port());
      ProbeResult good = probe(p, "localhost:" + goodPort);

      assertProblems(tls10, "weak_protocol");
      assertEquals("TLSv1", tls10.protocol().orElseThrow());
      assertProblems(good);
      assertEquals(2, good.chain().size());
    }
  }

  @Test
  void smtpServerWithoutStartTlsIsStartTlsFailed() throws Exception {
    LoopbackServers.Smtp smtp = new LoopbackServers.Smtp(leaf, List.of(leaf.cert()), false);
    closeAtEnd.add(smtp);
    try (Prober p = Prober.start(ProbeOptions.builder().startTls(StartTls.SMTP).build(), 1)) {
      ProbeResult result = probe(p, "localhost:" + smtp.port());

      assertProblems(result, "starttls_failed");
      assertTrue(result.message().contains("starttls: smtp EHLO refused: server does not offer "
          + "STARTTLS"), result.message());
    }
  }

  @Test
  void connectProxyWithBasicAuthReachesTheEndpoint() throws Exception {
    LoopbackServers.ConnectProxy proxy = new LoopbackServers.ConnectProxy("probe:s3cret", null);
    closeAtEnd.add(proxy);
    ProbeOptions options = ProbeOptions.builder()
        .proxy(ProxyEndpoint.parse("http://probe:s3cret@127.0.0.1:" + proxy.port())).build();
    try (Prober p = Prober.start(options, 1)) {
      ProbeCapture capture = p.probe(ProbeTarget.parse("localhost:" + goodPort)).join();

      assertFalse(capture.failed(), capture.toString());
      assertEquals(List.of(leaf.cert(), intermediate.cert()), capture.chain());
      assertTrue(capture.address().isEmpty(), "the proxy resolves the name");
    }
    assertEquals(List.of("CONNECT localhost:" + goodPort + " HTTP/1.1"),
        List.copyOf(proxy.requests));
  }

  @Test
  void aClosedProxyPortIsAProxyErrorNamingTheProxy() throws Exception {
    int proxyPort = LoopbackServers.closedPort();
    ProbeOptions options = ProbeOptions.builder().proxy(ProxyEndpoint.parse("http://127.0.0.1:" + proxyPort)).build();
    try (Prober p = Prober.start(options, 1)) {
      ProbeResult result = probe(p, "localhost:" + goodPort);

      assertProblems(result, "proxy_error");
      assertEquals("localhost:" + goodPort + " proxy: cannot reach the proxy: connection refused by 127.0.0.1:" + proxyPort,
          result.message());
    }
  }

  @Test
  void proxyRefusingWith403IsProxyError() throws Exception {
    LoopbackServers.ConnectProxy proxy = new LoopbackServers.ConnectProxy(null, "403 Forbidden");
    closeAtEnd.add(proxy);
    ProbeOptions options = ProbeOptions.builder()
        .proxy(ProxyEndpoint.parse("http://127.0.0.1:" + proxy.port())).build();
    try (Prober p = Prober.start(options, 1)) {
      ProbeResult result = probe(p, "localhost:" + goodPort);

      assertProblems(result, "proxy_error");
      assertEquals("localhost:" + goodPort + " proxy: the proxy answered 403 Forbidden", result.message());
    }
  }

  /**
   * An s_server for the leaf stapling {@code out}: openssl's OCSP response, signed by
   * {@code signer}.pem/.key, that the leaf was revoked an hour ago.
   */
  private OpenSslServer staplingRevocation(String signer, String out) throws Exception {
    String serial = leaf.cert().getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
    if (serial.length() % 2 == 1) {
      serial = "0" + serial;
    }
    DateTimeFormatter asn1 = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
    Files.writeString(dir.resolve("index.txt"), "R\t"
        + asn1.format(leaf.cert().getNotAfter().toInstant()) + "\t"
        + asn1.format(java.time.Instant.now().minusSeconds(3600)) + "\t" + serial
        + "\tunknown\t/CN=localhost\n");
    run("openssl", "ocsp", "-issuer", "inter.pem", "-cert", "leaf.pem", "-no_nonce",
        "-reqout", "req.der");
    run("openssl", "ocsp", "-index", "index.txt", "-rsigner", signer + ".pem", "-rkey", signer + ".key",
        "-CA", "inter.pem", "-reqin", "req.der", "-respout", out, "-ndays", "1");
    return openssl("-cert", dir.resolve("leaf.pem").toString(), "-key",
        dir.resolve("leaf.key").toString(), "-cert_chain", dir.resolve("inter.pem").toString(),
        "-status_file", dir.resolve(out).toString());
  }

  @Test
  void stapledOcspResponseSayingRevokedIsRevoked() throws Exception {
    OpenSslServer server = staplingRevocation("inter", "resp.der");

    ProbeCapture capture = prober.probe(ProbeTarget.parse("localhost:" + server.port())).join();
    ProbeResult result = judge.judge(capture);

    assertArrayEquals(Files.readAllBytes(dir.resolve("resp.der")),
        capture.ocspStaple().orElseThrow());
    assertEquals(OcspStatus.REVOKED, result.ocsp());
    assertProblems(result, "revoked");
  }

  @Test
  void aFetchedRevocationCountsWhenTheStapleIsGarbage() throws Exception {
    OpenSslServer server = staplingRevocation("inter", "resp.der");
    ProbeCapture c = prober.probe(ProbeTarget.parse("localhost:" + server.port())).join();
    // The same handshake with a staple that is not an OCSP response: a server hiding its revocation.
    ProbeCapture garbage = new ProbeCapture(c.target(), c.serverName(), c.address(), c.protocol(), c.cipher(),
        c.chain(), Optional.of(new byte[] {0x30, 0x03, 0x0a, 0x01, 0x00}), c.dhGroupBits(), c.legacyHandshake(),
        c.clientCertRequested(), c.timings(), c.failure());
    byte[] fetched = Files.readAllBytes(dir.resolve("resp.der"));

    ProbeResult alone = judge.judge(garbage);
    ProbeResult withFetched = judge.judge(garbage, new FetchedRevocation(List.of(), Optional.of(fetched), List.of()));

    assertEquals(OcspStatus.UNKNOWN, alone.ocsp());
    assertEquals(OcspStatus.REVOKED, withFetched.ocsp());
    assertTrue(withFetched.problems().contains(ProbeProblem.REVOKED), withFetched.message());
  }

  @Test
  void stapledRevocationFromAnEcResponderDelegatedByAnRsaIssuerIsRevoked() throws Exception {
    TestPki.Held responder = TestPki.spec("Zoo OCSP Responder").keys(TestPki.ec())
        .eku(org.bouncycastle.asn1.x509.KeyPurposeId.id_kp_OCSPSigning).issuedBy(intermediate);
    TestPki.writePem(dir.resolve("responder.pem"), responder.cert());
    TestPki.writeKey(dir.resolve("responder.key"), responder.key());
    OpenSslServer server = staplingRevocation("responder", "delegated.der");

    ProbeResult result = judge.judge(prober.probe(ProbeTarget.parse("localhost:" + server.port())).join());

    assertEquals(OcspStatus.REVOKED, result.ocsp());
    assertProblems(result, "revoked");
  }

  @Test
  void manyTargetsRunUnderTheConcurrencyBoundWithoutLeaks() {
    try (Prober p = Prober.start(ProbeOptions.builder().concurrency(8).build(), 2)) {
      List<ProbeTarget> targets = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        targets.add(ProbeTarget.parse("localhost:" + goodPort));
      }
      List<ProbeCapture> captures = p.probeAll(targets).join();

      assertEquals(200, captures.size());
      assertTrue(captures.stream().noneMatch(ProbeCapture::failed));
      assertEquals(0, p.running());
      assertEquals(0, p.observedEngines());
    }
  }

  private void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), String.join(" ", command) + ":\n" + out);
  }

  static List<X509Certificate> certs(X509Certificate... c) {
    return List.of(c);
  }
}
