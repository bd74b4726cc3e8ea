package io.certkeeper.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

class MetricsRepositoryTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void readsDeclaredEndpointsWithTheirLeafIssuedCertificatesNotRevokedAndListeners(StoreBackend backend)
      throws Exception {
    X509Certificate served = TestCertificates.withSerial(dir, "served.example", "51");
    X509Certificate kept = TestCertificates.withSerial(dir, "kept.example", "52");
    X509Certificate revoked = TestCertificates.withSerial(dir, "revoked.example", "53");
    try (Store store = backend.open(dir)) {
      new EndpointRepository(store).syncConfig("node-a", List.of(
          new EndpointRow("api.example:443", "api.example:443", EndpointRow.CONFIG, Optional.empty(), "{}", T0, T0),
          new EndpointRow("down.example:443", "down.example:443", EndpointRow.CONFIG, Optional.empty(), "{}", T0, T0)),
          T0);
      ProbeResultRepository results = new ProbeResultRepository(store);
      results.record(new ProbeRecord("api.example:443", T0, "ok", List.of(), "fine", Optional.empty(),
          Optional.of("TLSv1.3"), Optional.empty(), List.of(served), true,
          Optional.of(served.getNotAfter().toInstant()), "none", Optional.empty(), Optional.empty(), 21));
      results.record(new ProbeRecord("down.example:443", T0, "refused", List.of("refused"), "refused",
          Optional.empty(), Optional.empty(), Optional.empty(), List.of(), false, Optional.empty(), "none",
          Optional.empty(), Optional.empty(), 5));
      results.record(new ProbeRecord("adhoc.example:443", T0, "ok", List.of(), "not declared", Optional.empty(),
          Optional.empty(), Optional.empty(), List.of(served), true, Optional.empty(), "none", Optional.empty(),
          Optional.empty(), 7));
      IssuedCertificateRepository issued = new IssuedCertificateRepository(store);
      issued.record(kept, "ab".repeat(32), "server", T0);
      issued.record(revoked, "ab".repeat(32), "server", T0);
      issued.revoke("53", "superseded", T0);
      new ListenerStateRepository(store, "node-a").loaded("web", "127.0.0.1:8443", "echo", Fingerprints.sha256(kept), "52",
          kept.getNotAfter().toInstant(), T0);

      MetricsRepository.Readings r = new MetricsRepository(store).read("node-a");

      assertEquals(List.of("api.example:443", "down.example:443"),
          r.endpoints().stream().map(MetricsRepository.EndpointReading::endpointId).toList());
      MetricsRepository.EndpointReading api = r.endpoints().get(0);
      assertEquals(true, api.obtainedChain());
      assertEquals(21, api.totalMs());
      assertEquals(Optional.of(served.getNotAfter().toInstant()), api.pathNotAfter());
      MetricsRepository.CertificateReading leaf = api.leaf().orElseThrow();
      assertEquals(Fingerprints.sha256(served), leaf.sha256());
      assertEquals("51", leaf.serial());
      assertEquals(CertificateRecord.Source.OBSERVED, leaf.source());
      MetricsRepository.EndpointReading down = r.endpoints().get(1);
      assertEquals(List.of("refused"), down.problems());
      assertEquals(false, down.obtainedChain());
      assertEquals(Optional.empty(), down.leaf());

      assertEquals(List.of(Fingerprints.sha256(kept)),
          r.issued().stream().map(MetricsRepository.CertificateReading::sha256).toList());
      assertEquals(List.of(new MetricsRepository.ListenerReading("web", Fingerprints.sha256(kept))), r.listeners());
    }
  }
}
