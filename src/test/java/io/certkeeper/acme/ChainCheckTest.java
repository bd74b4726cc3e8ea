package io.certkeeper.acme;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.ca.CaPolicy;
import io.certkeeper.ca.InitRequest;
import io.certkeeper.ca.IssueRequest;
import io.certkeeper.ca.Issuer;
import io.certkeeper.ca.LocalCa;
import io.certkeeper.ca.Profile;
import io.certkeeper.ca.San;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.Store;
import io.certkeeper.testing.TestClock;
import io.certkeeper.x509.KeyPairs;
import io.certkeeper.x509.KeyType;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an ACME server sends is checked before it is put in force; here the server is played by the
 * local CA (real certificates and chains), and each check refuses what breaks it.
 */
class ChainCheckTest {
  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  private static final List<String> NAMES = List.of("www.acme.test", "api.acme.test");

  @TempDir Path dir;
  private KeyPair key;
  private List<X509Certificate> chain;
  private List<X509Certificate> otherChain;

  @BeforeEach
  void issue() throws Exception {
    TestClock clock = new TestClock(NOW.minus(Duration.ofHours(1)));
    try (Store store = Store.openEmbedded(dir.resolve("data"), 2)) {
      IssuedCertificateRepository repo = new IssuedCertificateRepository(store);
      LocalCa ca = LocalCa.init(dir.resolve("data/ca"), new InitRequest("Server CA", KeyType.EC_P256,
          Duration.ofDays(3650), Optional.of(Duration.ofDays(1825))), "chain check passphrase".toCharArray(), repo,
          clock);
      Issuer issuer = Issuer.forCa(ca, CaPolicy.defaults(), repo, clock, Optional.empty());
      key = KeyPairs.generate(KeyType.EC_P256);
      chain = issuer.issue(IssueRequest.forPublicKey("www.acme.test", List.of(San.dns("api.acme.test")),
          key.getPublic(), Duration.ofDays(90), Profile.SERVER)).fullChain();
      LocalCa other = LocalCa.init(dir.resolve("other/ca"), new InitRequest("Other CA", KeyType.EC_P256,
          Duration.ofDays(3650), Optional.of(Duration.ofDays(1825))), "chain check passphrase".toCharArray(), repo,
          clock);
      otherChain = Issuer.forCa(other, CaPolicy.defaults(), repo, clock, Optional.empty())
          .issue(IssueRequest.forPublicKey("www.acme.test", List.of(San.dns("api.acme.test")), key.getPublic(),
              Duration.ofDays(90), Profile.SERVER)).fullChain();
    }
  }

  @Test
  void aFittingChainPasses() throws Exception {
    assertTrue(chain.size() >= 2, "leaf and intermediate at least");
    ChainCheck.check(chain, key.getPublic(), NAMES, NOW);
  }

  @Test
  void eachMisfitIsRefusedSayingWhat() {
    assertRefused("is not for the key of the request",
        () -> ChainCheck.check(chain, KeyPairs.generate(KeyType.EC_P256).getPublic(), NAMES, NOW));
    assertRefused("does not name other.acme.test",
        () -> ChainCheck.check(chain, key.getPublic(), List.of("www.acme.test", "other.acme.test"), NOW));
    assertRefused("is not valid now", () -> ChainCheck.check(chain, key.getPublic(), NAMES, NOW.plus(Duration.ofDays(91))));
    assertRefused("is not valid now", () -> ChainCheck.check(chain, key.getPublic(), NAMES, NOW.minus(Duration.ofDays(1))));
    List<X509Certificate> spliced = new ArrayList<>(chain.subList(0, 1));
    spliced.addAll(otherChain.subList(1, otherChain.size()));
    assertRefused("certificate 1 of the chain is not issued by the next one",
        () -> ChainCheck.check(spliced, key.getPublic(), NAMES, NOW));
    List<X509Certificate> reversed = new ArrayList<>(chain);
    Collections.reverse(reversed);
    assertRefused("is not for the key of the request",
        () -> ChainCheck.check(reversed, key.getPublic(), NAMES, NOW));
    List<X509Certificate> long11 = new ArrayList<>(chain);
    while (long11.size() <= ChainCheck.MAX_CHAIN) {
      long11.add(chain.get(chain.size() - 1));
    }
    assertRefused("at most 10", () -> ChainCheck.check(long11, key.getPublic(), NAMES, NOW));
    assertRefused("no certificate", () -> ChainCheck.check(List.of(), key.getPublic(), NAMES, NOW));
  }

  private static void assertRefused(String part, org.junit.jupiter.api.function.Executable check) {
    AcmeFailure e = assertThrows(AcmeFailure.class, check);
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }
}
