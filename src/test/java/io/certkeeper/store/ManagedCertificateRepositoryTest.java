package io.certkeeper.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.OpenSsl;
import io.certkeeper.testing.StoreBackend;
import io.certkeeper.x509.CertificateInfo;
import io.certkeeper.x509.Pem;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The managed certificates and their generations, against a real store. */
class ManagedCertificateRepositoryTest {
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  @TempDir Path dir;

  private static GenerationInForce generation(String serial, String sha256, Instant notAfter) {
    return new GenerationInForce(serial, sha256, "k".repeat(64), notAfter.minus(Duration.ofDays(30)), notAfter);
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void theFirstGenerationPutInForceIsNumberOneWithItsHooksPending(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      ManagedCertificateRepository repo = new ManagedCertificateRepository(store, "node-a");
      assertEquals(Optional.empty(), repo.find("web"));
      repo.swapped("web", generation("0a", "a".repeat(64), T0.plus(Duration.ofDays(30))), "first", T0);

      ManagedState s = repo.find("web").orElseThrow();
      assertEquals(1, s.generation());
      assertEquals("0a", s.serial());
      assertEquals("a".repeat(64), s.sha256());
      assertEquals(T0, s.lastRenewedAt());
      assertEquals(T0.plus(Duration.ofDays(30)), s.notAfter());
      assertEquals(0, s.consecutiveFailures());
      assertEquals(Map.of("web", "0a"), repo.hooksPending());
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void aFailedAttemptCountsAndTheNextSwapClearsEveryTraceOfTheFailures(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      ManagedCertificateRepository repo = new ManagedCertificateRepository(store, "node-a");
      repo.swapped("web", generation("0a", "a".repeat(64), T0.plus(Duration.ofDays(30))), "first", T0);
      Instant retry = T0.plus(Duration.ofMinutes(5));
      assertEquals(1, repo.failed("web", "CA locked", Optional.of(retry), T0));
      assertEquals(2, repo.failed("web", "CA still locked", Optional.of(retry), T0.plusSeconds(1)));
      repo.hookFailed("web", "reload: exit 1");
      repo.served("web", "f".repeat(64), T0);
      ManagedState failing = repo.find("web").orElseThrow();
      assertEquals(Optional.of("CA still locked"), failing.lastError());
      assertEquals(Optional.of(retry), failing.nextAttemptAt());
      assertEquals(Optional.of("reload: exit 1"), failing.lastHookError());
      assertEquals(Optional.of("f".repeat(64)), failing.servedSha256());

      repo.swapped("web", generation("0b", "b".repeat(64), T0.plus(Duration.ofDays(60))), "renewal", T0.plusSeconds(2));
      ManagedState renewed = repo.find("web").orElseThrow();
      assertEquals(2, renewed.generation());
      assertEquals("0b", renewed.serial());
      assertEquals(0, renewed.consecutiveFailures());
      assertEquals(Optional.empty(), renewed.lastError());
      assertEquals(Optional.empty(), renewed.lastErrorAt());
      assertEquals(Optional.empty(), renewed.nextAttemptAt());
      assertEquals(Optional.empty(), renewed.lastHookError());
      assertEquals(Optional.empty(), renewed.servedSha256());
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void repairedOutputsClearTheFailuresButKeepTheGeneration(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      ManagedCertificateRepository repo = new ManagedCertificateRepository(store, "node-a");
      repo.swapped("web", generation("0a", "a".repeat(64), T0.plus(Duration.ofDays(30))), "first", T0);
      repo.failed("web", "writing outputs: disk full", Optional.of(T0.plusSeconds(60)), T0);
      repo.failuresCleared("web");
      ManagedState s = repo.find("web").orElseThrow();
      assertEquals(0, s.consecutiveFailures());
      assertEquals(Optional.empty(), s.lastError());
      assertEquals(Optional.empty(), s.nextAttemptAt());
      assertEquals(1, s.generation());
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void aFailureOfACertificateWithoutAGenerationCountsNothing(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      assertEquals(0, new ManagedCertificateRepository(store, "node-a").failed("none", "no CA", Optional.empty(), T0));
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void errorsAreCutToTheWidthOfTheirColumn(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      ManagedCertificateRepository repo = new ManagedCertificateRepository(store, "node-a");
      repo.swapped("web", generation("0a", "a".repeat(64), T0.plus(Duration.ofDays(30))), "first", T0);
      repo.failed("web", "x".repeat(5000), Optional.empty(), T0);
      repo.hookFailed("web", "y".repeat(5000));
      ManagedState s = repo.find("web").orElseThrow();
      assertEquals(ManagedCertificateRepository.MAX_ERROR, s.lastError().orElseThrow().length());
      assertEquals(ManagedCertificateRepository.MAX_ERROR, s.lastHookError().orElseThrow().length());
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void hooksAreDoneOnlyForTheGenerationThatIsInForce(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      ManagedCertificateRepository repo = new ManagedCertificateRepository(store, "node-a");
      repo.swapped("web", generation("0a", "a".repeat(64), T0.plus(Duration.ofDays(30))), "first", T0);
      repo.swapped("api", generation("1a", "c".repeat(64), T0.plus(Duration.ofDays(30))), "first", T0);
      repo.swapped("web", generation("0b", "b".repeat(64), T0.plus(Duration.ofDays(60))), "renewal", T0);
      repo.hooksDone("web", "0a"); // a late report about the replaced generation
      assertEquals(Map.of("api", "1a", "web", "0b"), repo.hooksPending());
      repo.hooksDone("web", "0b");
      assertEquals(Map.of("api", "1a"), repo.hooksPending());
      assertEquals(List.of("api", "web"), repo.list().stream().map(ManagedState::name).toList());
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void generationsOfALeafAreFoundNewestFirstWithTheirValidityFromTheInventory(StoreBackend backend) throws Exception {
    X509Certificate cert = Pem.readCertificates(OpenSsl.selfSigned(dir, "g", "g.example", 30)).get(0);
    try (Store store = backend.open(dir)) {
      CertificateInfo info = new CertificateRepository(store).upsert(cert, CertificateRecord.Source.ISSUED, T0);
      ManagedCertificateRepository repo = new ManagedCertificateRepository(store, "node-a");
      GenerationInForce g = new GenerationInForce(info.serial(), info.sha256(), info.spkiSha256(), info.notBefore(),
          info.notAfter());
      repo.swapped("web", g, "first", T0);
      repo.swapped("web", generation("0b", "b".repeat(64), T0.plus(Duration.ofDays(60))), "renewal", T0);
      repo.swapped("web", g, "reconciled", T0); // rolled back to the same certificate: generation 3
      assertEquals(List.of(), repo.generationsWith("b".repeat(64)), "its certificate is not in the inventory");

      List<GenerationRecord> found = repo.generationsWith(info.sha256());
      assertEquals(List.of(3L, 1L), found.stream().map(GenerationRecord::generation).toList());
      GenerationRecord newest = found.get(0);
      assertEquals("web", newest.name());
      assertEquals(info.serial(), newest.serial());
      assertEquals(info.notBefore(), newest.notBefore());
      assertEquals(info.notAfter(), newest.notAfter());
      assertTrue(repo.generationsWith("d".repeat(64)).isEmpty());
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void twoNodesHoldCertificatesOfOneNameEachWithItsOwnGenerations(StoreBackend backend) throws Exception {
    X509Certificate cert = Pem.readCertificates(OpenSsl.selfSigned(dir, "g", "g.example", 30)).get(0);
    try (Store store = backend.open(dir)) {
      CertificateInfo info = new CertificateRepository(store).upsert(cert, CertificateRecord.Source.ISSUED, T0);
      ManagedCertificateRepository a = new ManagedCertificateRepository(store, "node-a");
      ManagedCertificateRepository b = new ManagedCertificateRepository(store, "node-b");
      a.swapped("web", generation("0a", "a".repeat(64), T0.plus(Duration.ofDays(30))), "first", T0);
      a.swapped("web", generation("0b", "b".repeat(64), T0.plus(Duration.ofDays(60))), "renewal", T0.plusSeconds(1));
      b.swapped("web", new GenerationInForce(info.serial(), info.sha256(), info.spkiSha256(), info.notBefore(),
          info.notAfter()), "first", T0.plusSeconds(2));
      assertEquals(1, b.failed("web", "CA locked", Optional.empty(), T0.plusSeconds(3)));
      b.hooksDone("web", info.serial());

      ManagedState onA = a.find("web").orElseThrow();
      assertEquals(2L, onA.generation());
      assertEquals(0, onA.consecutiveFailures(), "node-b's failure is its own");
      assertEquals(Map.of("web", "0b"), a.hooksPending(), "node-b's hooks are its own");
      assertEquals(1L, b.find("web").orElseThrow().generation());
      assertEquals(List.of("node-a/web", "node-b/web"), ManagedCertificateRepository.everyNode(store).stream()
          .map(m -> m.node() + "/" + m.name()).toList());

      // a probe on node-a that sees node-b's certificate finds node-b's generation and its state
      GenerationRecord g = a.generationsWith(info.sha256()).get(0);
      assertEquals("node-b", g.node());
      assertEquals(Optional.of("CA locked"), a.inForce(g).flatMap(ManagedState::lastError));
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void rowsOfNoNodeAreAdoptedUnlessTheNodeHasItsOwn(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      ManagedCertificateRepository unowned = new ManagedCertificateRepository(store, "");
      unowned.swapped("web", generation("0a", "a".repeat(64), T0.plus(Duration.ofDays(30))), "first", T0);
      unowned.swapped("api", generation("1a", "c".repeat(64), T0.plus(Duration.ofDays(30))), "first", T0);
      ManagedCertificateRepository a = new ManagedCertificateRepository(store, "node-a");
      a.swapped("api", generation("1b", "d".repeat(64), T0.plus(Duration.ofDays(30))), "first", T0);

      assertEquals(1, a.adoptUnowned());
      assertEquals(List.of("api", "web"), a.list().stream().map(ManagedState::name).toList());
      assertEquals("1b", a.find("api").orElseThrow().serial(), "its own row stays");
      a.swapped("web", generation("0b", "b".repeat(64), T0.plus(Duration.ofDays(60))), "renewal", T0);
      assertEquals(2L, a.find("web").orElseThrow().generation(), "the adopted history goes on");
      assertEquals(List.of("api"), unowned.list().stream().map(ManagedState::name).toList());
      assertEquals(0, a.adoptUnowned());
    }
  }
}
