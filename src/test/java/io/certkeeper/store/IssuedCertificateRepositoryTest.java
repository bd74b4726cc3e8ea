package io.certkeeper.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.StoreBackend;
import io.certkeeper.x509.Fingerprints;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class IssuedCertificateRepositoryTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final String ISSUER = "ab".repeat(32);

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void recordsOnceBySerialRevokesOnceAndCounts(StoreBackend backend) throws Exception {
    X509Certificate root = TestCertificates.withSerial(dir, "root.example", "0a0b");
    X509Certificate leaf = TestCertificates.withSerial(dir, "leaf.example", "1c2d");
    X509Certificate sameSerial = TestCertificates.withSerial(dir, "other.example", "1c2d");
    String rootSha = Fingerprints.sha256(root);
    try (Store store = backend.open(dir)) {
      IssuedCertificateRepository issued = new IssuedCertificateRepository(store);
      assertTrue(issued.recordRoot(root, T0));
      assertTrue(issued.record(leaf, rootSha, "server", T0.plusSeconds(1)));
      assertFalse(issued.record(sameSerial, rootSha, "server", T0.plusSeconds(2)), "the serial is taken");
      assertEquals(Optional.empty(), new CertificateRepository(store).find(Fingerprints.sha256(sameSerial)),
          "nothing of the refused one recorded");

      IssuedCertificateRecord r = issued.find("1c2d").orElseThrow();
      assertEquals(new IssuedCertificateRecord("1c2d", Fingerprints.sha256(leaf), rootSha, "server",
          T0.plusSeconds(1), Optional.empty(), Optional.empty()), r);
      assertEquals(CertificateRecord.Source.ISSUED,
          new CertificateRepository(store).find(Fingerprints.sha256(leaf)).orElseThrow().source());
      assertEquals(new IssuedCertificateRepository.Counts(1, 0), issued.counts(rootSha), "the root itself not counted");

      assertTrue(issued.revoke("1c2d", "keyCompromise", T0.plusSeconds(5)));
      assertFalse(issued.revoke("1c2d", "superseded", T0.plusSeconds(6)), "revoked once");
      assertFalse(issued.revoke("ffff", "superseded", T0.plusSeconds(6)), "no such serial");
      assertEquals(new IssuedCertificateRepository.Counts(1, 1), issued.counts(rootSha));
      List<IssuedCertificateRecord> revoked = issued.revokedBy(rootSha);
      assertEquals(1, revoked.size());
      assertEquals(Optional.of(T0.plusSeconds(5)), revoked.get(0).revokedAt());
      assertEquals(Optional.of("keyCompromise"), revoked.get(0).revocationReason());
      assertEquals(List.of(rootSha, Fingerprints.sha256(leaf)), List.copyOf(issued.bySha256().keySet()));
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void twoWritersOfTheSameSerialAtOnceOneWins(StoreBackend backend) throws Exception {
    X509Certificate a = TestCertificates.withSerial(dir, "a.example", "77");
    X509Certificate b = TestCertificates.withSerial(dir, "b.example", "77");
    try (Store store = backend.open(dir)) {
      IssuedCertificateRepository issued = new IssuedCertificateRepository(store);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> fs = new ArrayList<>();
        for (X509Certificate c : List.of(a, b)) {
          fs.add(pool.submit(() -> {
            go.await();
            return issued.record(c, ISSUER, "server", T0);
          }));
        }
        go.countDown();
        int won = 0;
        for (Future<Boolean> f : fs) {
          won += f.get(60, TimeUnit.SECONDS) ? 1 : 0;
        }
        assertEquals(1, won);
        assertEquals(new IssuedCertificateRepository.Counts(1, 0), issued.counts(ISSUER));
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void concurrentPublishersOfTheFirstCrlTakeNumbersInTurn(StoreBackend backend) throws Exception {
    X509Certificate leaf = TestCertificates.withSerial(dir, "leaf.example", "2a");
    try (Store store = backend.open(dir)) {
      IssuedCertificateRepository issued = new IssuedCertificateRepository(store);
      issued.record(leaf, ISSUER, "server", T0);
      issued.revoke("2a", "superseded", T0.plusSeconds(1));
      int publishers = 4;
      ExecutorService pool = Executors.newFixedThreadPool(publishers);
      try {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<CrlState>> fs = new ArrayList<>();
        for (int i = 0; i < publishers; i++) {
          fs.add(pool.submit(() -> {
            go.await();
            return issued.publishCrl(ISSUER, T0, T0.plusSeconds(86400), (last, revoked) -> {
              if (revoked.size() != 1 || !revoked.get(0).serial().equals("2a")) {
                throw new IOException("the revocation is not listed: " + revoked);
              }
              return new SignedCrl(last + 1, new byte[] {(byte) last});
            });
          }));
        }
        go.countDown();
        List<Long> numbers = new ArrayList<>();
        for (Future<CrlState> f : fs) {
          numbers.add(f.get(60, TimeUnit.SECONDS).crlNumber());
        }
        numbers.sort(null);
        assertEquals(List.of(1L, 2L, 3L, 4L), numbers);
        assertEquals(new CrlState(ISSUER, 4, T0, T0.plusSeconds(86400)), issued.crlState(ISSUER).orElseThrow());
        assertEquals(Optional.of(new SignedCrl(4, new byte[] {3})), newest(issued));
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void aCrlThatFailsToSignRecordsNothing(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      IssuedCertificateRepository issued = new IssuedCertificateRepository(store);
      IOException e = assertThrows(IOException.class, () -> issued.publishCrl(ISSUER, T0, T0.plusSeconds(60),
          (last, revoked) -> {
            throw new IOException("disk full");
          }));
      assertEquals("disk full", e.getMessage());
      assertEquals(Optional.empty(), issued.crlState(ISSUER));
      assertThrows(IllegalStateException.class,
          () -> issued.publishCrl(ISSUER, T0, T0.plusSeconds(60), (last, revoked) -> new SignedCrl(0, new byte[0])),
          "a number not above the last one");
      assertEquals(1, issued.publishCrl(ISSUER, T0, T0.plusSeconds(60),
          (last, revoked) -> new SignedCrl(last + 1, new byte[] {1})).crlNumber());
      assertEquals(Optional.of(new SignedCrl(1, new byte[] {1})), newest(issued), "the store keeps it");
    }
  }

  /** The newest CRL the store keeps, as a copying node gets it. */
  private static Optional<SignedCrl> newest(IssuedCertificateRepository issued) throws Exception {
    java.util.concurrent.atomic.AtomicReference<SignedCrl> got = new java.util.concurrent.atomic.AtomicReference<>();
    issued.withLatestCrl(ISSUER, got::set);
    return Optional.ofNullable(got.get());
  }
}
