package io.certkeeper.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.Store;
import io.certkeeper.testing.TestClock;
import io.certkeeper.x509.Fingerprints;
import io.certkeeper.x509.KeyType;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon keeps the local CA's CRL fresh, so client-auth listeners (fail-closed) never lock clients out. */
@Tag("security")
class CrlRefreshTest {
  private static final char[] PASS = "crl refresh passphrase".toCharArray();
  private static final Duration VALIDITY = Duration.ofDays(7);

  @TempDir Path dir;

  @Test
  void aCrlPastHalfItsValidityIsResignedAndAFreshOneIsLeftAlone() throws Exception {
    TestClock clock = new TestClock(Instant.parse("2026-11-01T00:00:00Z"));
    try (Store store = Store.openEmbedded(dir.resolve("data"), 2)) {
      IssuedCertificateRepository repo = new IssuedCertificateRepository(store);
      Path caDir = dir.resolve("data/ca");
      LocalCa ca = LocalCa.init(caDir, new InitRequest("Refresh CA", KeyType.EC_P256, Duration.ofDays(3650),
          Optional.empty()), PASS, repo, clock);
      CrlPublisher.forCa(ca, repo, clock, VALIDITY).publish();
      String issuer = Fingerprints.sha256(LocalCa.readCertificates(caDir).issuer());
      long first = repo.crlState(issuer).orElseThrow().crlNumber();
      CrlRefresh refresh = new CrlRefresh(caDir, repo, Optional.of(PASS::clone), clock, VALIDITY);

      clock.advance(Duration.ofDays(1));
      assertEquals(CrlRefresh.Outcome.FRESH, refresh.refreshIfDue());
      assertEquals(first, repo.crlState(issuer).orElseThrow().crlNumber());

      clock.advance(Duration.ofDays(3));
      assertEquals(CrlRefresh.Outcome.PUBLISHED, refresh.refreshIfDue());
      assertEquals(first + 1, repo.crlState(issuer).orElseThrow().crlNumber());
      assertTrue(CrlPublisher.isDue(caDir, repo.crlState(issuer), clock.instant()) == false);
    }
  }

  @Test
  void aDueCrlWithoutAPassphraseIsOneClearError() throws Exception {
    TestClock clock = new TestClock(Instant.parse("2026-11-01T00:00:00Z"));
    try (Store store = Store.openEmbedded(dir.resolve("data"), 2)) {
      IssuedCertificateRepository repo = new IssuedCertificateRepository(store);
      Path caDir = dir.resolve("data/ca");
      LocalCa ca = LocalCa.init(caDir, new InitRequest("Refresh CA", KeyType.EC_P256, Duration.ofDays(3650),
          Optional.empty()), PASS, repo, clock);
      CrlPublisher.forCa(ca, repo, clock, VALIDITY).publish();
      clock.advance(Duration.ofDays(5));
      CaException e = assertThrows(CaException.class,
          () -> new CrlRefresh(caDir, repo, Optional.empty(), clock, VALIDITY).refreshIfDue());
      assertTrue(e.getMessage().contains("ca.passphrase is not set"), e.getMessage());
    }
  }

  @Test
  void noCaNoWork() throws Exception {
    TestClock clock = new TestClock(Instant.parse("2026-11-01T00:00:00Z"));
    try (Store store = Store.openEmbedded(dir.resolve("data"), 2)) {
      assertEquals(CrlRefresh.Outcome.NO_CA, new CrlRefresh(dir.resolve("data/ca"),
          new IssuedCertificateRepository(store), Optional.empty(), clock, VALIDITY).refreshIfDue());
    }
  }
}
