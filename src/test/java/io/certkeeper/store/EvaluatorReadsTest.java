package io.certkeeper.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.certkeeper.testing.OpenSsl;
import io.certkeeper.testing.StoreBackend;
import io.certkeeper.x509.Fingerprints;
import io.certkeeper.x509.Pem;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The reads the alert evaluator makes of probe results and the inventory: the chain of the latest
 * result, the changes it has not seen, and a few words about each certificate.
 */
class EvaluatorReadsTest {
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  static final String ENDPOINT = "a.example:443";

  @TempDir Path dir;

  private static ProbeRecord probe(Instant at, X509Certificate... chain) {
    List<String> problems = chain.length == 0 ? List.of("connect_failed") : List.of();
    return new ProbeRecord(ENDPOINT, at, chain.length == 0 ? "connect_failed" : "ok", problems, "probed",
        Optional.empty(), Optional.empty(), Optional.empty(), List.of(chain), chain.length > 0, Optional.empty(),
        "none", Optional.empty(), Optional.empty(), 1);
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void theStateNamesItsResultWhoseChainIsReadLeafFirst(StoreBackend backend) throws Exception {
    X509Certificate leaf = Pem.readCertificates(OpenSsl.selfSigned(dir, "leaf", "a.example", 30)).get(0);
    X509Certificate other = Pem.readCertificates(OpenSsl.selfSigned(dir, "other", "b.example", 30)).get(0);
    try (Store store = backend.open(dir)) {
      ProbeResultRepository probes = new ProbeResultRepository(store);
      long first = probes.record(probe(T0, leaf, other)).resultId();
      assertEquals(first, probes.state(ENDPOINT).orElseThrow().lastResultId());
      assertEquals(List.of(Fingerprints.sha256(leaf), Fingerprints.sha256(other)), probes.chainOf(first));

      long failed = probes.record(probe(T0.plusSeconds(60))).resultId();
      assertEquals(failed, probes.state(ENDPOINT).orElseThrow().lastResultId());
      assertEquals(List.of(), probes.chainOf(failed));
      assertEquals(List.of(), probes.chainOf(failed + 1000), "no such result");
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void changesAfterOneAreTheNewerOnesOldestFirst(StoreBackend backend) throws Exception {
    X509Certificate a = Pem.readCertificates(OpenSsl.selfSigned(dir, "a", "a.example", 30)).get(0);
    X509Certificate b = Pem.readCertificates(OpenSsl.selfSigned(dir, "b", "a.example", 30)).get(0);
    try (Store store = backend.open(dir)) {
      ProbeResultRepository probes = new ProbeResultRepository(store);
      probes.record(probe(T0, a));
      probes.record(probe(T0.plusSeconds(60), b));
      probes.record(probe(T0.plusSeconds(120), a));
      List<EndpointChange> all = probes.changesAfter(ENDPOINT, 0);
      assertEquals(List.of(Fingerprints.sha256(b), Fingerprints.sha256(a)),
          all.stream().map(EndpointChange::newSha256).toList());
      assertEquals(Optional.of(Fingerprints.sha256(a)), all.get(0).oldSha256());
      assertEquals(T0.plusSeconds(60), all.get(0).detectedAt());
      assertEquals(List.of(all.get(1)), probes.changesAfter(ENDPOINT, all.get(0).id()));
      assertEquals(List.of(), probes.changesAfter(ENDPOINT, all.get(1).id()));
      assertEquals(List.of(), probes.changesAfter("b.example:443", 0));
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void aBriefNamesAKnownCertificateAndWhereItCameFrom(StoreBackend backend) throws Exception {
    X509Certificate seen = Pem.readCertificates(OpenSsl.selfSigned(dir, "seen", "seen.example", 30)).get(0);
    X509Certificate issued = Pem.readCertificates(OpenSsl.selfSigned(dir, "issued", "issued.example", 30)).get(0);
    try (Store store = backend.open(dir)) {
      CertificateRepository certs = new CertificateRepository(store);
      certs.upsert(seen, CertificateRecord.Source.OBSERVED, T0);
      certs.upsert(issued, CertificateRecord.Source.ISSUED, T0);
      String seenSha = Fingerprints.sha256(seen);
      String issuedSha = Fingerprints.sha256(issued);

      CertificateBrief b = certs.brief(seenSha).orElseThrow();
      assertEquals(seenSha, b.sha256());
      assertEquals(CertificateRecord.Source.OBSERVED, b.source());
      assertEquals(seen.getNotAfter().toInstant(), b.notAfter());
      assertEquals(certs.find(seenSha).orElseThrow().info().subject(), b.subject());
      assertEquals(certs.find(seenSha).orElseThrow().info().issuer(), b.issuer());
      assertEquals(Optional.empty(), certs.brief("0".repeat(64)));

      Map<String, CertificateBrief> both = certs.briefs(List.of(issuedSha, "0".repeat(64), seenSha));
      assertEquals(2, both.size(), both.toString());
      assertEquals(CertificateRecord.Source.ISSUED, both.get(issuedSha).source());
    }
  }
}
