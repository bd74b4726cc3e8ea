package io.certkeeper.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.OpenSsl;
import io.certkeeper.testing.StoreBackend;
import io.certkeeper.x509.CertificateInfo;
import io.certkeeper.x509.Fingerprints;
import io.certkeeper.x509.Pem;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The rows an issuer writes as their readers see them (schema 22): issued certificates joined
 * through their serial, a serial taken twice, and a certificate observed before the CA recorded it
 * as issued.
 */
class IssuanceRowsTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void certificatesOfOneKeyAreFoundByItsFingerprint(StoreBackend backend) throws Exception {
    X509Certificate first = TestCertificates.withSerial(dir, "a.example", "a1");
    X509Certificate second = sameKey(dir, "a.example", "b.example", "b2");
    X509Certificate other = TestCertificates.withSerial(dir, "c.example", "c3");
    String key = CertificateInfo.of(first).spkiSha256();
    assertEquals(key, CertificateInfo.of(second).spkiSha256());
    try (Store store = backend.open(dir)) {
      CertificateRepository certs = new CertificateRepository(store);
      certs.upsert(first, CertificateRecord.Source.OBSERVED, T0);
      certs.upsert(second, CertificateRecord.Source.FILE, T0);
      certs.upsert(other, CertificateRecord.Source.OBSERVED, T0);
      List<String> found = certs.withKey(key, 10).stream().map(r -> r.info().sha256()).sorted().toList();
      assertEquals(List.of(Fingerprints.sha256(first), Fingerprints.sha256(second)).stream().sorted().toList(), found);
      assertEquals(List.of(), certs.withKey("0".repeat(64), 10));
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void aCertificateSeenOnAnEndpointBeforeItWasRecordedAsIssuedBecomesIssued(StoreBackend backend) throws Exception {
    X509Certificate root = TestCertificates.withSerial(dir, "root.example", "01");
    X509Certificate leaf = TestCertificates.withSerial(dir, "leaf.example", "5e");
    try (Store store = backend.open(dir)) {
      CertificateRepository certs = new CertificateRepository(store);
      IssuedCertificateRepository issued = new IssuedCertificateRepository(store);
      assertTrue(issued.recordRoot(root, T0));
      certs.upsert(leaf, CertificateRecord.Source.OBSERVED, T0);
      assertTrue(issued.record(leaf, Fingerprints.sha256(root), "server", T0.plusSeconds(60)));
      CertificateRecord row = certs.find(Fingerprints.sha256(leaf)).orElseThrow();
      assertEquals(CertificateRecord.Source.ISSUED, row.source());
      assertEquals(T0, row.firstSeen(), "the row observed first is kept");
      assertEquals(T0.plusSeconds(60), row.lastSeen());
      assertEquals(Fingerprints.sha256(leaf), issued.find("5e").orElseThrow().sha256());
      assertEquals(new IssuedCertificateRepository.Counts(1, 0), issued.counts(Fingerprints.sha256(root)));
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void issuedCertificatesHaveNoConstraintOnTheFingerprintAfterVersion22(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      List<String> left = store.transaction(c -> {
        List<String> out = new java.util.ArrayList<>();
        try (java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT tc.constraint_type"
            + " FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage k"
            + " ON k.constraint_schema = tc.constraint_schema AND k.constraint_name = tc.constraint_name"
            + " WHERE UPPER(tc.table_name) = 'ISSUED_CERTIFICATES' AND UPPER(k.column_name) = 'SHA256'")) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
        return out;
      });
      assertEquals(List.of(), left, "the migration drops the unique index and the foreign key on sha256");
    }
  }

  /** A self-signed certificate for {@code cn} with the key of {@code keyOf}'s certificate. */
  private static X509Certificate sameKey(Path dir, String keyOf, String cn, String serialHex) throws Exception {
    OpenSsl.run(dir, "req", "-x509", "-key", keyOf + ".key", "-out", cn + ".pem", "-subj", "/CN=" + cn,
        "-days", "30", "-set_serial", "0x" + serialHex).requireSuccess();
    return Pem.readCertificates(dir.resolve(cn + ".pem")).get(0);
  }
}
