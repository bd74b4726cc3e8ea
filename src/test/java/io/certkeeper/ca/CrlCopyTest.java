package io.certkeeper.ca;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.Store;
import io.certkeeper.testing.ExternalTool;
import io.certkeeper.testing.StoreBackend;
import io.certkeeper.testing.TestClock;
import io.certkeeper.x509.Fingerprints;
import io.certkeeper.x509.KeyType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two nodes of a fleet hold copies of one CA directory and share one store: a CRL either signs
 * reaches the other's files, never replacing a newer one, and a CRL the CA did not sign is refused.
 */
class CrlCopyTest {
  private static final char[] PASS = "crl copy passphrase".toCharArray();
  private static final Duration VALIDITY = Duration.ofDays(7);

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void aCrlSignedOnOneNodeReachesTheOthersFiles(StoreBackend backend) throws Exception {
    TestClock clock = new TestClock(Instant.parse("2026-11-01T00:00:00Z"));
    try (Store store = backend.open(dir.resolve("store"))) {
      IssuedCertificateRepository repo = new IssuedCertificateRepository(store);
      Path caA = dir.resolve("a/ca");
      Path caB = dir.resolve("b/ca");
      LocalCa a = LocalCa.init(caA, new InitRequest("Fleet CA", KeyType.EC_P256, Duration.ofDays(3650),
          Optional.empty()), PASS, repo, clock);
      Files.createDirectories(caB.getParent());
      assertEquals(0, new ProcessBuilder("cp", "-a", caA.toString(), caB.toString()).start().waitFor());
      CrlCopy copyA = new CrlCopy(caA, repo);
      CrlCopy copyB = new CrlCopy(caB, repo);
      assertEquals(OptionalLong.empty(), copyB.refresh(), "no CRL yet");

      CrlPublisher.forCa(a, repo, clock, VALIDITY).publish();
      long first = repo.crlState(a.issuerSha256()).orElseThrow().crlNumber();
      assertEquals(OptionalLong.empty(), copyA.refresh(), "the signer's own files are current");
      assertEquals(OptionalLong.of(first), copyB.refresh());
      assertArrayEquals(Files.readAllBytes(CrlPublisher.derFile(caA)), Files.readAllBytes(CrlPublisher.derFile(caB)));
      assertArrayEquals(Files.readAllBytes(caA.resolve(LocalCa.CRL_PEM)), Files.readAllBytes(caB.resolve(LocalCa.CRL_PEM)));
      Path chain = dir.resolve("chain.pem");
      StringBuilder pems = new StringBuilder();
      for (String f : new String[] {LocalCa.INTERMEDIATE_CERT, LocalCa.ROOT_CERT}) {
        if (Files.exists(caB.resolve(f))) {
          pems.append(Files.readString(caB.resolve(f)));
        }
      }
      Files.writeString(chain, pems);
      ExternalTool.Result verified = ExternalTool.run(dir, "openssl", "crl", "-in", caB.resolve(LocalCa.CRL_PEM).toString(),
          "-CAfile", chain.toString(), "-noout");
      assertTrue(verified.ok() && verified.output().contains("verify OK"), verified.output());
      assertEquals(OptionalLong.empty(), copyB.refresh(), "already current");

      // node B signs the next one (its copy of the CA): node A catches up
      LocalCa b = LocalCa.load(caB, PASS.clone());
      clock.advance(Duration.ofMinutes(1));
      CrlPublisher.forCa(b, repo, clock, VALIDITY).publish();
      assertEquals(OptionalLong.of(first + 1), copyA.refresh());
      assertEquals(first + 1, CrlPublisher.onDiskNumber(CrlPublisher.derFile(caA), a.issuer()));
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void aCrlTheCaDidNotSignIsRefusedAndTheFilesStay(StoreBackend backend) throws Exception {
    TestClock clock = new TestClock(Instant.parse("2026-11-01T00:00:00Z"));
    try (Store store = backend.open(dir.resolve("store"))) {
      IssuedCertificateRepository repo = new IssuedCertificateRepository(store);
      Path caDir = dir.resolve("a/ca");
      LocalCa ca = LocalCa.init(caDir, new InitRequest("Fleet CA", KeyType.EC_P256, Duration.ofDays(3650),
          Optional.empty()), PASS, repo, clock);
      CrlPublisher.forCa(ca, repo, clock, VALIDITY).publish();
      byte[] before = Files.readAllBytes(CrlPublisher.derFile(caDir));
      // another CA's CRL recorded under this issuer (a damaged or forged row)
      LocalCa other = LocalCa.init(dir.resolve("other/ca"), new InitRequest("Other CA", KeyType.EC_P256,
          Duration.ofDays(3650), Optional.empty()), PASS, repo, clock);
      CrlPublisher.forCa(other, repo, clock, VALIDITY).publish();
      byte[] foreign = Files.readAllBytes(CrlPublisher.derFile(dir.resolve("other/ca")));
      repo.publishCrl(ca.issuerSha256(), clock.instant(), clock.instant().plus(VALIDITY),
          (last, revoked) -> new io.certkeeper.store.SignedCrl(last + 5, foreign));

      CaException e = assertThrows(CaException.class, () -> new CrlCopy(caDir, repo).refresh());
      assertTrue(e.getMessage().startsWith("the store's CRL "), e.getMessage());
      assertTrue(e.getMessage().contains("is not one this CA signed"), e.getMessage());
      assertArrayEquals(before, Files.readAllBytes(CrlPublisher.derFile(caDir)));
    }
  }
}
