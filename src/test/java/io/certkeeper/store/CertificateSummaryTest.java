package io.certkeeper.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.certkeeper.testing.StoreBackend;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code status}'s counts come from per-day totals plus the rows of the two days that now and soon
 * fall in: compared with counting every row, at times on, just before and just after expiries and
 * day boundaries, with a certificate that moves from observed to issued, on both engines.
 */
class CertificateSummaryTest {
  @TempDir Path dir;

  private record Held(Instant notAfter, boolean issued) {}

  private static CertificateRepository.Summary brute(List<Held> all, Instant now, Instant soon) {
    long issued = all.stream().filter(Held::issued).count();
    long expired = all.stream().filter(h -> !h.notAfter().isAfter(now)).count();
    long expiring = all.stream().filter(h -> h.notAfter().isAfter(now) && !h.notAfter().isAfter(soon)).count();
    return new CertificateRepository.Summary(all.size(), issued, all.size() - issued, 0, expired, expiring);
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void countsMatchARowByRowCount(StoreBackend backend) throws Exception {
    int[] days = {1, 2, 2, 5, 30, 31, 90};
    List<X509Certificate> certs = new ArrayList<>();
    for (int i = 0; i < days.length; i++) {
      certs.add(TestCertificates.selfSigned(dir, "c" + i + ".example", days[i]));
    }
    Instant seen = Instant.now();
    try (Store store = backend.open(dir)) {
      CertificateRepository repo = new CertificateRepository(store);
      List<Held> held = new ArrayList<>();
      for (int i = 0; i < certs.size(); i++) {
        boolean issued = i % 3 == 0;
        repo.upsert(certs.get(i), issued ? CertificateRecord.Source.ISSUED : CertificateRecord.Source.OBSERVED, seen);
        held.add(new Held(certs.get(i).getNotAfter().toInstant(), issued));
      }
      // seen again as observed: no change; then issued: it moves from observed to issued
      repo.upsert(certs.get(1), CertificateRecord.Source.OBSERVED, seen.plusSeconds(1));
      repo.upsert(certs.get(1), CertificateRecord.Source.ISSUED, seen.plusSeconds(2));
      held.set(1, new Held(held.get(1).notAfter(), true));
      repo.upsert(certs.get(0), CertificateRecord.Source.OBSERVED, seen.plusSeconds(3));

      List<Instant> times = new ArrayList<>();
      for (Held h : held) {
        Instant t = h.notAfter();
        long dayStart = Math.floorDiv(t.getEpochSecond(), 86_400L) * 86_400L;
        times.addAll(List.of(t, t.minusSeconds(1), t.plusSeconds(1), Instant.ofEpochSecond(dayStart),
            Instant.ofEpochSecond(dayStart - 1), Instant.ofEpochSecond(dayStart + 86_399)));
      }
      times.add(seen);
      for (Instant now : times) {
        for (Duration ahead : List.of(Duration.ZERO, Duration.ofHours(1), Duration.ofDays(1), Duration.ofDays(30),
            Duration.ofDays(400))) {
          for (Instant soon : List.of(now.plus(ahead), times.get((int) (ahead.toHours() % times.size())))) {
            assertEquals(brute(held, now, soon), repo.summary(now, soon), "now " + now + ", soon " + soon);
          }
        }
      }
    }
  }
}
