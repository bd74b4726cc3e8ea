package io.certkeeper.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.StoreBackend;
import io.certkeeper.x509.Fingerprints;
import io.certkeeper.x509.KeyPairs;
import io.certkeeper.x509.KeyType;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The dashboard's pages of the inventory: walking every page by cursor, soonest or latest expiry
 * first, gives every matching certificate exactly once and in order, also when many share one
 * notAfter (the fingerprint breaks the tie, and no index holds that order), with and without a
 * source (watched files: their certificates whatever their source), a time window and a search,
 * on both engines; and the CLI's list the same way.
 */
class CertificatePageTest {
  @TempDir Path dir;

  private record Held(String sha256, Instant notAfter, CertificateRecord.Source source, String cn, boolean inFile) {
    boolean matches(Optional<CertificateRecord.Source> s) {
      return s.isEmpty() || (s.get() == CertificateRecord.Source.FILE ? inFile : source == s.get());
    }
  }

  private static X509Certificate certificate(String cn, Instant notAfter, int serial) throws Exception {
    KeyPair k = KeyPairs.generate(KeyType.EC_P256);
    X500Name name = new X500Name("CN=" + cn);
    return new JcaX509CertificateConverter().setProvider(KeyPairs.provider()).getCertificate(
        new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(serial), Date.from(notAfter.minus(30, ChronoUnit.DAYS)),
            Date.from(notAfter), name, k.getPublic())
            .build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(KeyPairs.provider()).build(k.getPrivate())));
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void everyPageWalkGivesEachCertificateOnceInOrder(StoreBackend backend) throws Exception {
    Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).plus(10, ChronoUnit.DAYS);
    List<Held> held = new ArrayList<>();
    try (Store store = backend.open(dir)) {
      CertificateRepository repo = new CertificateRepository(store);
      WatchedFileRepository files = new WatchedFileRepository(store, "node-a");
      for (int i = 0; i < 30; i++) {
        Instant notAfter = base.plus(i / 10, ChronoUnit.DAYS); // three groups of ten with one notAfter each
        String cn = (i % 4 == 0 ? "api" : "www") + i + ".example";
        X509Certificate c = certificate(cn, notAfter, i + 1);
        // sources mixed within each notAfter
        CertificateRecord.Source source = i % 3 == 0 ? CertificateRecord.Source.ISSUED
            : i % 3 == 1 ? CertificateRecord.Source.OBSERVED : CertificateRecord.Source.FILE;
        boolean inFile = source == CertificateRecord.Source.FILE || i % 5 == 0; // issued or observed ones too
        if (source != CertificateRecord.Source.FILE) {
          repo.upsert(c, source, Instant.now());
        }
        if (inFile) {
          files.record(new WatchedFileRepository.FileRead("/etc/ssl/" + i + ".pem", "certs", Optional.empty(),
              Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), "{}",
              List.of(new WatchedFileRepository.Placed("0", c))), Instant.now());
        }
        held.add(new Held(Fingerprints.sha256(c), notAfter, source, cn, inFile));
      }
      Comparator<Held> soonest = Comparator.comparing(Held::notAfter).thenComparing(Held::sha256);
      for (boolean latestFirst : new boolean[] {false, true}) {
        for (Optional<CertificateRecord.Source> source : List.of(Optional.<CertificateRecord.Source>empty(),
            Optional.of(CertificateRecord.Source.ISSUED), Optional.of(CertificateRecord.Source.OBSERVED),
            Optional.of(CertificateRecord.Source.FILE))) {
          for (Optional<String> text : List.of(Optional.<String>empty(), Optional.of("API"))) {
            for (int pageSize : new int[] {1, 4, 7, 30}) {
              List<String> expected = held.stream()
                  .filter(h -> h.matches(source))
                  .filter(h -> text.isEmpty() || h.cn().contains(text.get().toLowerCase(java.util.Locale.ROOT)))
                  .filter(h -> h.notAfter().isAfter(base.minusSeconds(1)) && !h.notAfter().isAfter(base.plus(1, ChronoUnit.DAYS)))
                  .sorted(latestFirst ? soonest.reversed() : soonest).map(Held::sha256).toList();
              List<String> walked = new ArrayList<>();
              Optional<CertificateRepository.Position> after = Optional.empty();
              for (int guard = 0; guard < 100; guard++) {
                List<CertificateRecord> page = repo.page(source, Optional.of(base.minusSeconds(1)),
                    Optional.of(base.plus(1, ChronoUnit.DAYS)), text, after, pageSize, latestFirst);
                page.forEach(r -> walked.add(r.info().sha256()));
                assertTrue(page.stream().allMatch(r -> r.pem().isEmpty()), "pages carry no PEM");
                if (page.size() < pageSize) {
                  break;
                }
                CertificateRecord last = page.get(page.size() - 1);
                after = Optional.of(new CertificateRepository.Position(last.info().notAfter(), last.info().sha256()));
              }
              assertEquals(expected, walked, "latestFirst " + latestFirst + ", source " + source + ", text " + text
                  + ", page " + pageSize);
            }
          }
        }
      }
      // the CLI's list: soonest first, at most the limit, from every source merged or from one
      for (Optional<CertificateRecord.Source> source : List.of(Optional.<CertificateRecord.Source>empty(),
          Optional.of(CertificateRecord.Source.ISSUED), Optional.of(CertificateRecord.Source.FILE))) {
        for (int limit : new int[] {1, 7, 30}) {
          List<String> expected = held.stream().filter(h -> h.matches(source)).sorted(soonest).limit(limit)
              .map(Held::sha256).toList();
          List<String> listed = repo.list(source, Optional.empty(), limit).stream().map(r -> r.info().sha256()).toList();
          assertEquals(expected, listed, "list, source " + source + ", limit " + limit);
        }
      }
    }
  }
}
