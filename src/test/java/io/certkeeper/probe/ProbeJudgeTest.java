package io.certkeeper.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The judge over hand-made captures with a fixed clock: no network, no sleeping. */
class ProbeJudgeTest {
  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  private static final ProbeTarget TARGET = ProbeTarget.parse("shop.example:443");
  private static X509Certificate leafEndingIn20Days;

  @BeforeAll
  static void makeCertificate() {
    TestPki.Held root = TestPki.spec("Judge Root").ca().selfSigned();
    leafEndingIn20Days = TestPki.spec("shop.example").dns("shop.example")
        .validFor(NOW.minus(Duration.ofDays(60)), NOW.plus(Duration.ofDays(20)).plusSeconds(5))
        .issuedBy(root).cert();
  }

  private static ProbeJudge judgeAt(Instant now, Duration warning) {
    return new ProbeJudge(ChainJudge.none(), new ExpiryThresholds(warning, Duration.ZERO),
        Clock.fixed(now, ZoneOffset.UTC));
  }

  private static ProbeCapture capture(String protocol, String cipher, OptionalInt dhBits,
      ProbeFailure failure) {
    return new ProbeCapture(TARGET, "shop.example", Optional.of("192.0.2.1"),
        Optional.ofNullable(protocol), Optional.ofNullable(cipher),
        failure == null || failure.problem() == ProbeProblem.CLIENT_CERT_REQUIRED
            ? List.of(leafEndingIn20Days) : List.of(),
        Optional.empty(), dhBits, false, false, new ProbeTimings(1, 2, 3),
        Optional.ofNullable(failure));
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
      "TLSv1.3, TLS_AES_128_GCM_SHA256,                0,    ''",
      "TLSv1.1, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,    0,    weak_protocol",
      "TLSv1,   TLS_RSA_WITH_RC4_128_SHA,              0,    weak_protocol weak_cipher",
      "TLSv1.2, TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,   1024, weak_cipher",
      "TLSv1.2, TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,   4096, ''",
  })
  void findsWeakProtocolsAndCiphers(String protocol, String cipher, int dhBits, String codes) {
    ProbeResult result = judgeAt(NOW, Duration.ofDays(7)).judge(capture(protocol, cipher,
        dhBits == 0 ? OptionalInt.empty() : OptionalInt.of(dhBits), null));
    assertEquals(codes.isBlank() ? List.of() : List.of(codes.split(" ")), result.problemCodes());
  }

  @ParameterizedTest(name = "warning {0} days -> {1}")
  @CsvSource({"30, expiring", "21, expiring", "20, ''", "7, ''"})
  void expiringUsesTheWarningThreshold(int warningDays, String codes) {
    ProbeResult result = judgeAt(NOW, Duration.ofDays(warningDays))
        .judge(capture("TLSv1.3", "TLS_AES_128_GCM_SHA256", OptionalInt.empty(), null));
    assertEquals(codes.isBlank() ? List.of() : List.of(codes), result.problemCodes());
    assertEquals(20, result.daysLeft().orElseThrow());
  }

  @Test
  void anExpiredLeafIsNotExpiringAndHasNegativeDaysLeft() {
    ProbeResult result = judgeAt(NOW.plus(Duration.ofDays(25)), Duration.ofDays(30))
        .judge(capture("TLSv1.3", "TLS_AES_128_GCM_SHA256", OptionalInt.empty(), null));
    assertEquals(List.of(), result.problemCodes(), "expired is the validator's verdict");
    assertEquals(-5, result.daysLeft().orElseThrow());
  }

  @Test
  void aNetworkFailureIsTheStatusAndTheMessage() {
    ProbeFailure failure = new ProbeFailure(ProbeStep.CONNECT, ProbeProblem.REFUSED,
        "shop.example:443 connect: Connection refused");
    ProbeResult result = judgeAt(NOW, Duration.ofDays(30))
        .judge(capture(null, null, OptionalInt.empty(), failure));
    assertEquals("refused", result.statusCode());
    assertEquals(List.of("refused"), result.problemCodes());
    assertEquals("shop.example:443 connect: Connection refused", result.message());
    assertTrue(result.daysLeft().isEmpty());
  }

  @Test
  void problemsAreOrderedWorstFirst() {
    ProbeFailure failure = new ProbeFailure(ProbeStep.HANDSHAKE,
        ProbeProblem.CLIENT_CERT_REQUIRED, "shop.example:443 handshake: client certificate");
    ProbeResult result = judgeAt(NOW, Duration.ofDays(30))
        .judge(capture("TLSv1", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", OptionalInt.empty(), failure));
    assertEquals(List.of("client_cert_required", "weak_protocol", "weak_cipher", "expiring"),
        result.problemCodes());
    assertEquals("client_cert_required", result.statusCode());
  }

  @Test
  void chainJudgeProblemsJoinTheProbesOwn() {
    ChainJudge validator = (chain, name, now) -> new ChainVerdict(false,
        List.of(ProbeProblem.HOSTNAME_MISMATCH), "no SAN matches " + name);
    ProbeJudge judge = new ProbeJudge(validator, ExpiryThresholds.defaults(),
        Clock.fixed(NOW, ZoneOffset.UTC));
    ProbeResult result = judge.judge(capture("TLSv1.1", "TLS_AES_128_GCM_SHA256",
        OptionalInt.empty(), null));
    assertEquals(List.of("hostname_mismatch", "weak_protocol", "expiring"), result.problemCodes());
    assertTrue(result.message().contains("no SAN matches shop.example"), result.message());
  }
}
