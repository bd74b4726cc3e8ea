package io.certkeeper.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.DeepAsn1;
import io.certkeeper.testing.OpenSslServer;
import io.certkeeper.x509.TrustAnchors;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real TLS servers on 127.0.0.1 that send ASN.1 nested deep enough to overflow a recursive
 * parser: a stapled OCSP response and a leaf certificate with a nested extension. The probe must
 * come back with a {@code malformed} result, never an {@link Error}.
 *
 * <p>A TLS client caps the Certificate message (BoringSSL at 100 KB), so the nesting is 20,000
 * levels, ten times what overflows a default thread stack.
 */
@Tag("security")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileServerProbeTest {
  static final int DEPTH = 20_000;

  @TempDir static Path dir;
  private TestPki.Held root;
  private TestPki.Held intermediate;
  private TestPki.Held leaf;
  private Prober prober;
  private ProbeJudge judge;

  @BeforeAll
  void start() {
    root = TestPki.spec("Hostile Root").ca().selfSigned();
    intermediate = TestPki.spec("Hostile Intermediate").ca().issuedBy(root);
    leaf = TestPki.spec("localhost").dns("localhost").issuedBy(intermediate);
    TestPki.writePem(dir.resolve("inter.pem"), intermediate.cert());
    TestPki.writePem(dir.resolve("leaf.pem"), leaf.cert());
    TestPki.writePem(dir.resolve("leaf.key"), leaf.key());
    prober = Prober.start(ProbeOptions.builder().timeout(Duration.ofSeconds(10)).build(), 1);
    judge = ProbeJudge.strict(TrustAnchors.of(List.of(root.cert())), ExpiryThresholds.defaults(),
        Clock.systemUTC());
  }

  @AfterAll
  void stop() {
    prober.close();
  }

  @Test
  void aStapledOcspResponseNestedDeeplyIsMalformedNotAnError() throws Exception {
    byte[] staple = DeepAsn1.ocspResponse(DeepAsn1.definite(DEPTH));
    Files.write(dir.resolve("deep-ocsp.der"), staple);
    try (OpenSslServer server = OpenSslServer.start(dir, "-cert", dir.resolve("leaf.pem").toString(),
        "-key", dir.resolve("leaf.key").toString(), "-cert_chain", dir.resolve("inter.pem").toString(),
        "-status_file", dir.resolve("deep-ocsp.der").toString())) {
      ProbeCapture capture = prober.probe(ProbeTarget.parse("localhost:" + server.port())).join();
      assertArrayEquals(staple, capture.ocspStaple().orElseThrow(), capture.toString());

      ProbeResult result = judge.judge(capture);

      assertEquals(List.of("malformed"), result.problemCodes(), result.message());
      assertEquals(OcspStatus.UNKNOWN, result.ocsp());
      assertTrue(result.validPath(), result.message());
      assertTrue(result.message().contains("stapled OCSP response is malformed: ASN.1 nested deeper than"),
          result.message());
    }
  }

  @Test
  void aLeafWithADeeplyNestedExtensionIsMalformedNotAnError() throws Exception {
    X509Certificate hostile = leafWithExtension(DeepAsn1.definite(DEPTH));
    SslProvider provider = io.netty.handler.ssl.OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    try (LoopbackServers.NettyTls server = new LoopbackServers.NettyTls(SslContextBuilder
        .forServer(leaf.key(), hostile, intermediate.cert()).sslProvider(provider).build())) {
      int port = server.bind();
      ProbeCapture capture = prober.probe(ProbeTarget.parse("localhost:" + port)).join();

      ProbeResult result = judge.judge(capture);

      assertEquals("malformed", result.statusCode(), result.message());
      assertTrue(result.message().contains("certificate 1 of 2 sent is malformed"), result.message());
      assertTrue(result.message().contains("nested deeper than"), result.message());
    }
  }

  /** The leaf again, with its key, carrying a private extension whose value is {@code value}. */
  private X509Certificate leafWithExtension(byte[] value) throws Exception {
    Instant now = Instant.now();
    var builder = new JcaX509v3CertificateBuilder(
        X500Name.getInstance(intermediate.cert().getSubjectX500Principal().getEncoded()),
        BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minusSeconds(60)),
        Date.from(now.plus(Duration.ofDays(30))), new X500Name("CN=localhost"),
        leaf.keys().getPublic());
    builder.addExtension(new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1"), false, value);
    String algorithm = intermediate.key().getAlgorithm().equals("EC") ? "SHA256withECDSA"
        : "SHA256withRSA";
    byte[] der = builder.build(new JcaContentSignerBuilder(algorithm)
        .build(intermediate.key())).getEncoded();
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(der));
  }
}
