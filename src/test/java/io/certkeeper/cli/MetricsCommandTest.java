package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.store.CertificateRepository;
import io.certkeeper.store.EndpointState;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.ListenerStateRepository;
import io.certkeeper.store.ProbeRecord;
import io.certkeeper.store.ProbeResultRepository;
import io.certkeeper.store.Store;
import io.certkeeper.testing.OpenSsl;
import io.certkeeper.testing.PrometheusText;
import io.certkeeper.x509.CertificateInfo;
import io.certkeeper.x509.Fingerprints;
import io.certkeeper.x509.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code certkeeper metrics}: the exposition parses strictly and its values are the store's. */
class MetricsCommandTest {
  private static final Instant T0 = Instant.parse("2026-01-10T08:00:00Z");

  @TempDir Path dir;
  private Path data;
  private X509Certificate leafA;
  private X509Certificate leafB;
  private X509Certificate issuedOld;
  private X509Certificate issuedNew;
  private X509Certificate issuedRevoked;

  private X509Certificate cert(String name, String cn, int days) throws Exception {
    return Pem.readCertificates(OpenSsl.selfSigned(dir, name, cn, days)).get(0);
  }

  /** A leaf (CA:FALSE) for {@code cn}, self-signed: what the store holds is all that matters here. */
  private X509Certificate leaf(String name, String cn, int days) throws Exception {
    OpenSsl.run(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", name + ".key", "-out", name + ".pem", "-subj", "/CN=" + cn,
        "-addext", "basicConstraints=critical,CA:FALSE", "-days", Integer.toString(days)).requireSuccess();
    return Pem.readCertificates(dir.resolve(name + ".pem")).get(0);
  }

  private static ProbeRecord probe(String endpoint, Instant at, String status, List<String> problems,
      List<X509Certificate> chain, Optional<Instant> pathNotAfter, long totalMs) {
    return new ProbeRecord(endpoint, at, status, problems, endpoint + " " + status, Optional.of("192.0.2.1"),
        Optional.of("TLSv1.3"), Optional.of("TLS_AES_128_GCM_SHA256"), chain, pathNotAfter.isPresent(),
        pathNotAfter, "none", Optional.of(2L), Optional.of(5L), totalMs);
  }

  private String run(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--data-dir";
    all[1] = data.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    CliRunner.Run r = CliRunner.run(all);
    assertEquals(0, r.exitCode(), r.err());
    return r.out();
  }

  @BeforeEach
  void storeWithEndpointsProbesAndIssuedCertificates() throws Exception {
    data = dir.resolve("data");
    leafA = cert("a", "a.example", 90);
    leafB = cert("b", "b.example", 30);
    issuedOld = leaf("old", "svc.internal", 10);
    issuedNew = leaf("new", "svc.internal", 60);
    issuedRevoked = leaf("revoked", "svc.internal", 90);
    X509Certificate root = cert("root", "Local Root", 3650);
    run("endpoint", "add", "a.example:443");
    run("endpoint", "add", "b.example:443");
    run("endpoint", "add", "never.example:443");
    try (Store store = Store.openEmbedded(data, 2)) {
      ProbeResultRepository results = new ProbeResultRepository(store);
      Instant aPath = leafA.getNotAfter().toInstant().minusSeconds(3600);
      results.record(probe("a.example:443", T0, "expiring", List.of("weak_protocol", "expiring"), List.of(leafA),
          Optional.of(aPath), 14));
      results.record(probe("b.example:443", T0, "ok", List.of(), List.of(leafB),
          Optional.of(leafB.getNotAfter().toInstant()), 9));
      results.record(probe("b.example:443", T0.plusSeconds(300), "refused", List.of("refused"), List.of(),
          Optional.empty(), 3));
      // an ad-hoc `certkeeper probe` of something that is not a declared endpoint
      results.record(probe("adhoc.example:443", T0, "ok", List.of(), List.of(cert("x", "adhoc.example", 5)),
          Optional.empty(), 7));
      IssuedCertificateRepository issued = new IssuedCertificateRepository(store);
      assertTrue(issued.recordRoot(root, T0));
      for (X509Certificate c : List.of(issuedOld, issuedNew, issuedRevoked)) {
        assertTrue(issued.record(c, "f".repeat(64), "server", T0));
      }
      assertTrue(issued.revoke(issuedRevoked.getSerialNumber().toString(16), "keyCompromise", T0));
      new ListenerStateRepository(store, io.certkeeper.config.NodeName.ofHost()).loaded("admin", "127.0.0.1:8443", "admin", Fingerprints.sha256(issuedNew),
          issuedNew.getSerialNumber().toString(16), issuedNew.getNotAfter().toInstant(), T0);
    }
  }

  @Test
  void certificateExpiryPerEndpointAndPerIssuedNameEqualsTheStore() throws Exception {
    Map<String, PrometheusText.Family> m = PrometheusText.parse(run("metrics"));
    PrometheusText.Family notAfter = m.get("certkeeper_certificate_not_after_timestamp_seconds");
    PrometheusText.Family notBefore = m.get("certkeeper_certificate_not_before_timestamp_seconds");
    assertEquals("gauge", notAfter.type());

    try (Store store = Store.openEmbedded(data, 2)) {
      CertificateRepository certs = new CertificateRepository(store);
      ProbeResultRepository results = new ProbeResultRepository(store);
      for (String endpoint : List.of("a.example:443", "b.example:443")) {
        EndpointState st = results.state(endpoint).orElseThrow();
        CertificateInfo leaf = certs.find(st.leafSha256().orElseThrow()).orElseThrow().info();
        Map<String, String> labels = Map.of("endpoint", endpoint, "source", "observed", "serial", leaf.serial(),
            "issuer", endpoint.replace(":443", ""));
        assertEquals(leaf.notAfter().getEpochSecond(), notAfter.value(labels));
        assertEquals(leaf.notBefore().getEpochSecond(), notBefore.value(labels));
        assertEquals(st.leafNotAfter().orElseThrow().getEpochSecond(), notAfter.value(labels));
      }
      CertificateInfo current = certs.find(Fingerprints.sha256(issuedNew)).orElseThrow().info();
      Map<String, String> issued = Map.of("name", "svc.internal", "source", "issued", "serial", current.serial(),
          "issuer", "svc.internal");
      assertEquals(current.notAfter().getEpochSecond(), notAfter.value(issued));
      assertEquals(current.notBefore().getEpochSecond(), notBefore.value(issued));
      double life = current.notAfter().getEpochSecond() - current.notBefore().getEpochSecond();
      assertEquals(current.notBefore().getEpochSecond() + life * 2 / 3,
          m.get("certkeeper_certificate_renewal_timestamp_seconds").value(issued), 1.0);
    }
    // the superseded and the revoked issued certificates and the undeclared ad-hoc target have no series
    assertEquals(4, notAfter.samples().size(), notAfter.samples().toString());
    assertTrue(notAfter.find(Map.of("name", "Local Root", "source", "issued")).isPresent());
    assertTrue(notAfter.samples().stream().noneMatch(s -> s.labels().containsValue("adhoc.example:443")));
    assertFalse(notAfter.samples().stream().anyMatch(s -> s.labels().containsKey("name") && s.labels().containsKey("endpoint")));
    // only the issued leaf has a renewal time, not the CA's root
    assertEquals(1, m.get("certkeeper_certificate_renewal_timestamp_seconds").samples().size());
  }

  @Test
  void probeStateOfEachDeclaredEndpointEqualsItsLatestResult() throws Exception {
    Map<String, PrometheusText.Family> m = PrometheusText.parse(run("metrics"));
    Map<String, String> a = Map.of("endpoint", "a.example:443");
    Map<String, String> b = Map.of("endpoint", "b.example:443");

    assertEquals(1.0, m.get("certkeeper_probe_success").value(a));
    assertEquals(0.0, m.get("certkeeper_probe_success").value(b));
    assertEquals(0.014, m.get("certkeeper_probe_duration_seconds").value(a), 1e-9);
    assertEquals(0.003, m.get("certkeeper_probe_duration_seconds").value(b), 1e-9);
    assertEquals(T0.getEpochSecond(), m.get("certkeeper_probe_last_timestamp_seconds").value(a));
    assertEquals(T0.plusSeconds(300).getEpochSecond(), m.get("certkeeper_probe_last_timestamp_seconds").value(b));

    PrometheusText.Family problems = m.get("certkeeper_probe_problems");
    assertEquals(1.0, problems.value(Map.of("endpoint", "a.example:443", "code", "expiring")));
    assertEquals(1.0, problems.value(Map.of("endpoint", "a.example:443", "code", "weak_protocol")));
    assertEquals(1.0, problems.value(Map.of("endpoint", "b.example:443", "code", "refused")));
    assertEquals(3, problems.samples().size());

    // the validated path's expiry, from the latest result; none after a failed probe
    PrometheusText.Family chain = m.get("certkeeper_endpoint_verified_chain_not_after_timestamp_seconds");
    assertEquals(leafA.getNotAfter().toInstant().minusSeconds(3600).getEpochSecond(), chain.value(a));
    assertTrue(chain.find(b).isEmpty());

    assertTrue(m.get("certkeeper_probe_success").find(Map.of("endpoint", "never.example:443")).isEmpty());
    assertTrue(m.get("certkeeper_probe_success").find(Map.of("endpoint", "adhoc.example:443")).isEmpty());
  }

  @Test
  void listenerCertificatesComeFromWhatTheDaemonRecorded() {
    PrometheusText.Family f = PrometheusText.parse(run("metrics")).get("certkeeper_listener_certificate_info");
    assertEquals(1, f.samples().size());
    assertEquals(1.0, f.value(Map.of("listener", "admin", "sha256", Fingerprints.sha256(issuedNew))));
  }

  @Test
  void buildInfoAndTheStoresCountersButNoProcessMetricsFromTheCli() {
    Map<String, PrometheusText.Family> m = PrometheusText.parse(run("metrics"));
    PrometheusText.Family build = m.get("certkeeper_build_info");
    assertEquals(1, build.samples().size());
    assertEquals(System.getProperty("java.version"), build.samples().get(0).labels().get("java"));
    assertEquals(io.certkeeper.config.NodeName.ofHost(), build.samples().get(0).labels().get("node"));
    assertTrue(m.containsKey("certkeeper_renewals_total"), "counted in the store, for every process");
    assertTrue(m.containsKey("certkeeper_alerts_total"));
    assertFalse(m.containsKey("jvm_memory_used_bytes"));
  }

  @Test
  void outWritesTheSameTextAtomicallyReadableByACollector() throws Exception {
    Path prom = dir.resolve("textfile/certkeeper.prom");
    Files.createDirectories(prom.getParent());
    assertEquals("", run("metrics", "--out", prom.toString()));
    assertEquals(run("metrics"), Files.readString(prom));
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(prom)));
    try (var files = Files.list(prom.getParent())) {
      assertEquals(List.of(prom), files.toList(), "no temporary files left");
    }
  }
}
