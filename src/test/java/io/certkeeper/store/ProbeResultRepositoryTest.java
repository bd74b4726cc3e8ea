package io.certkeeper.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.StoreBackend;
import io.certkeeper.x509.Fingerprints;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ProbeResultRepositoryTest {
  private static final String ENDPOINT = "api.example:443";
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  @TempDir Path dir;

  private static ProbeRecord probe(Instant at, List<X509Certificate> chain, String status) {
    return probe(ENDPOINT, at, chain, status);
  }

  private static ProbeRecord probe(String endpoint, Instant at, List<X509Certificate> chain, String status) {
    return new ProbeRecord(endpoint, at, status, status.equals("ok") ? List.of() : List.of(status),
        endpoint + " " + status, Optional.of("192.0.2.7"), chain.isEmpty() ? Optional.empty() : Optional.of("TLSv1.3"),
        chain.isEmpty() ? Optional.empty() : Optional.of("TLS_AES_128_GCM_SHA256"), chain, !chain.isEmpty(),
        chain.isEmpty() ? Optional.empty() : Optional.of(chain.get(0).getNotAfter().toInstant()), "none",
        Optional.of(3L), chain.isEmpty() ? Optional.empty() : Optional.of(9L), 14);
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void aNewLeafIsAChangeAndAFailedProbeKeepsTheLastLeafSeen(StoreBackend backend) throws Exception {
    X509Certificate one = TestCertificates.selfSigned(dir, "one.example", 30);
    X509Certificate two = TestCertificates.selfSigned(dir, "two.example", 60);
    try (Store store = backend.open(dir)) {
      ProbeResultRepository results = new ProbeResultRepository(store);
      ProbeResultRepository.Recorded r1 = results.record(probe(T0, List.of(one), "ok"));
      assertEquals(new ProbeResultRepository.Recorded(r1.resultId(), Optional.empty(), false, 0), r1);

      ProbeResultRepository.Recorded failed = results.record(probe(T0.plusSeconds(60), List.of(), "refused"));
      assertEquals(1, failed.consecutiveFailures());
      assertEquals(2, results.record(probe(T0.plusSeconds(120), List.of(), "timeout")).consecutiveFailures());
      EndpointState state = results.state(ENDPOINT).orElseThrow();
      assertEquals(Optional.of(Fingerprints.sha256(one)), state.leafSha256(), "kept across failures");
      assertEquals(Optional.of(one.getNotAfter().toInstant()), state.leafNotAfter());
      assertEquals("timeout", state.status());
      assertEquals(List.of("timeout"), state.problems());

      ProbeResultRepository.Recorded r4 = results.record(probe(T0.plusSeconds(180), List.of(two), "ok"));
      assertTrue(r4.leafChanged());
      assertEquals(Optional.of(Fingerprints.sha256(one)), r4.previousLeaf());
      assertEquals(0, r4.consecutiveFailures());
      assertFalse(results.record(probe(T0.plusSeconds(240), List.of(two), "ok")).leafChanged());

      List<EndpointChange> changes = results.changes(ENDPOINT, 10);
      assertEquals(1, changes.size());
      assertEquals(new EndpointChange(changes.get(0).id(), ENDPOINT, T0.plusSeconds(180),
          Optional.of(Fingerprints.sha256(one)), Fingerprints.sha256(two)), changes.get(0));
      assertEquals(List.of(ENDPOINT), results.states().stream().map(EndpointState::endpointId).toList());
      CertificateRepository certificates = new CertificateRepository(store);
      assertEquals(CertificateRecord.Source.OBSERVED,
          certificates.find(Fingerprints.sha256(two)).orElseThrow().source());
      assertEquals(T0.plusSeconds(240), certificates.find(Fingerprints.sha256(two)).orElseThrow().lastSeen());
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void historyIsNewestFirstAndPruningKeepsEachEndpointsLatestResult(StoreBackend backend) throws Exception {
    X509Certificate one = TestCertificates.selfSigned(dir, "one.example", 30);
    try (Store store = backend.open(dir)) {
      ProbeResultRepository results = new ProbeResultRepository(store);
      for (int i = 0; i < 5; i++) {
        results.record(probe(T0.plusSeconds(60L * i), i == 2 ? List.of() : List.of(one), i == 2 ? "refused" : "ok"));
      }
      assertEquals(5, results.count(ENDPOINT));
      List<ProbeHistoryEntry> history = results.history(ENDPOINT, 3);
      assertEquals(List.of(T0.plusSeconds(240), T0.plusSeconds(180), T0.plusSeconds(120)),
          history.stream().map(ProbeHistoryEntry::probedAt).toList());
      ProbeHistoryEntry refused = history.get(2);
      assertEquals(new ProbeHistoryEntry(refused.id(), T0.plusSeconds(120), "refused", List.of("refused"),
          ENDPOINT + " refused", Optional.empty(), Optional.empty(), 14), refused);
      assertEquals(Optional.of("TLSv1.3"), history.get(0).protocol());

      // everything is older than the cutoff: all but the latest go
      assertEquals(4, results.prune(T0.plusSeconds(3600)));
      assertEquals(1, results.count(ENDPOINT));
      assertEquals(T0.plusSeconds(240), results.history(ENDPOINT, 10).get(0).probedAt());
      assertEquals(0, results.count("other.example:443"));
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void aBatchIsStoredInOneTransactionAsProbesOneByOneWouldBe(StoreBackend backend) throws Exception {
    X509Certificate one = TestCertificates.selfSigned(dir, "one.example", 30);
    X509Certificate two = TestCertificates.selfSigned(dir, "two.example", 60);
    try (Store store = backend.open(dir)) {
      ProbeResultRepository results = new ProbeResultRepository(store);
      results.record(probe("b.example:443", T0, List.of(two), "ok"));
      List<ProbeResultRepository.Recorded> r = results.recordAll(List.of(
          probe("a.example:443", T0.plusSeconds(1), List.of(one), "ok"),
          probe("b.example:443", T0.plusSeconds(2), List.of(one), "ok"),
          probe("a.example:443", T0.plusSeconds(3), List.of(two), "ok"),
          probe("c.example:443", T0.plusSeconds(4), List.of(), "refused"),
          probe("c.example:443", T0.plusSeconds(5), List.of(), "refused")));
      assertEquals(5, r.size());
      assertEquals(5, r.stream().map(ProbeResultRepository.Recorded::resultId).distinct().count());
      assertEquals(List.of(false, true, true, false, false),
          r.stream().map(ProbeResultRepository.Recorded::leafChanged).toList());
      assertEquals(List.of(0, 0, 0, 1, 2), r.stream().map(ProbeResultRepository.Recorded::consecutiveFailures).toList());
      // each state points at its endpoint's last result of the batch
      assertEquals(r.get(2).resultId(), results.state("a.example:443").orElseThrow().lastResultId());
      assertEquals(Optional.of(Fingerprints.sha256(two)), results.state("a.example:443").orElseThrow().leafSha256());
      assertEquals(r.get(4).resultId(), results.state("c.example:443").orElseThrow().lastResultId());
      assertEquals(List.of(Fingerprints.sha256(two)), results.chainOf(r.get(2).resultId()));
      assertEquals(1, results.changes("a.example:443", 10).size());
      assertEquals(1, results.changes("b.example:443", 10).size());
      // a certificate seen by several probes of the batch: written once, with the latest time
      CertificateRepository certificates = new CertificateRepository(store);
      assertEquals(T0.plusSeconds(2), certificates.find(Fingerprints.sha256(one)).orElseThrow().lastSeen());
      assertEquals(T0.plusSeconds(3), certificates.find(Fingerprints.sha256(two)).orElseThrow().lastSeen());

      // pruning in chunks of two deletes all but each endpoint's latest
      assertEquals(3, results.prune(T0.plusSeconds(3600), 2));
      assertEquals(1, results.count("a.example:443"));
      assertEquals(1, results.count("c.example:443"));
      assertEquals(r.get(4).resultId(), results.history("c.example:443", 10).get(0).id());
    }
  }
}
