package io.certkeeper.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.util.Json;
import io.certkeeper.x509.Fingerprints;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ProbeJsonTest {
  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  @Test
  void rendersTheContractFieldsForACapturedChain() throws Exception {
    TestPki.Held root = TestPki.spec("Json Root").ca().selfSigned();
    X509Certificate leaf = TestPki.spec("api.example").dns("api.example", "www.api.example").ip("192.0.2.9")
        .email("ops@api.example").uri("spiffe://api.example/web")
        .validFor(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(42)).plusSeconds(1))
        .issuedBy(root).cert();
    ProbeCapture capture = new ProbeCapture(ProbeTarget.parse("https://api.example"),
        "api.example", Optional.of("192.0.2.9"), Optional.of("TLSv1.3"),
        Optional.of("TLS_AES_128_GCM_SHA256"), List.of(leaf, root.cert()), Optional.empty(),
        OptionalInt.empty(), false, false, new ProbeTimings(3, 7, 11), Optional.empty());
    ProbeResult result = new ProbeJudge(ChainJudge.none(), ExpiryThresholds.defaults(),
        Clock.fixed(NOW, ZoneOffset.UTC)).judge(capture);

    JsonNode json = Json.mapper().readTree(
        Json.mapper().writeValueAsString(ProbeJson.array(List.of(result)))).get(0);

    assertEquals("https://api.example", json.get("target").asText());
    assertEquals("api.example", json.get("host").asText());
    assertEquals(443, json.get("port").asInt());
    assertEquals("192.0.2.9", json.get("address").asText());
    assertEquals("api.example", json.get("servername").asText());
    assertEquals("ok", json.get("status").asText());
    assertEquals(0, json.get("problems").size());
    assertEquals("TLSv1.3", json.get("protocol").asText());
    assertEquals("TLS_AES_128_GCM_SHA256", json.get("cipher").asText());
    assertEquals(42, json.get("daysLeft").asLong());
    assertEquals(2, json.get("chain").size());
    JsonNode first = json.get("chain").get(0);
    assertEquals(Fingerprints.sha256(leaf), first.get("sha256").asText());
    assertEquals(Fingerprints.spkiSha256(leaf), first.get("spkiSha256").asText());
    assertEquals("RSA", first.get("keyAlgorithm").asText());
    assertEquals(2048, first.get("keySize").asInt());
    assertEquals("SHA256withRSA", first.get("signatureAlgorithm").asText());
    // typed like every other SAN list certkeeper prints (list --json, issue --json)
    assertEquals("[\"dns:api.example\",\"dns:www.api.example\",\"ip:192.0.2.9\",\"email:ops@api.example\","
        + "\"uri:spiffe://api.example/web\"]", first.get("sans").toString());
    assertEquals("2030-02-12T00:00:01Z", first.get("notAfter").asText());
    assertTrue(json.get("validPath").isBoolean());
    assertEquals("none", json.get("ocsp").asText());
    assertEquals("{\"connectMs\":3,\"handshakeMs\":7,\"totalMs\":11}",
        json.get("timings").toString());
  }

  @Test
  void aFailedProbeHasNullsNotMissingFields() throws Exception {
    ProbeCapture capture = new ProbeCapture(ProbeTarget.parse("db.example:5432"), "db.example",
        Optional.empty(), Optional.empty(), Optional.empty(), List.of(), Optional.empty(),
        OptionalInt.empty(), false, false, new ProbeTimings(-1, -1, 5),
        Optional.of(new ProbeFailure(ProbeStep.DNS, ProbeProblem.DNS_ERROR,
            "db.example:5432 dns: cannot resolve db.example")));
    ProbeResult result = new ProbeJudge(ChainJudge.none(), ExpiryThresholds.defaults(),
        Clock.fixed(NOW, ZoneOffset.UTC)).judge(capture);

    JsonNode json = ProbeJson.object(result);

    assertEquals("dns_error", json.get("status").asText());
    assertEquals("[\"dns_error\"]", json.get("problems").toString());
    assertTrue(json.get("address").isNull());
    assertTrue(json.get("daysLeft").isNull());
    assertTrue(json.get("protocol").isNull());
    assertEquals("db.example:5432 dns: cannot resolve db.example", json.get("message").asText());

    io.certkeeper.store.ProbeRecord record = ProbeRecords.of("db.example:5432;starttls=postgres",
        capture, result, NOW);
    assertEquals("dns_error", record.status());
    assertEquals(List.of("dns_error"), record.problems());
    assertEquals(Optional.empty(), record.connectMs(), "a step that never ran is absent");
    assertEquals(5, record.totalMs());
    assertEquals(List.of(), record.chain());
  }
}
