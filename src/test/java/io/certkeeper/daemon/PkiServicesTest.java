package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.ca.CaException;
import io.certkeeper.ca.InitRequest;
import io.certkeeper.ca.LocalCa;
import io.certkeeper.config.Config;
import io.certkeeper.config.ConfigLoader;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.Store;
import io.certkeeper.testing.TestClock;
import io.certkeeper.x509.KeyType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an ocsp or pki listener needs to start: a CA, a signer (issued with the passphrase, or a
 * valid one on disk without it), something for a pki listener to serve. Each refusal is one line.
 */
class PkiServicesTest {
  static final String PASS = "a long enough CA passphrase";

  @TempDir Path dir;

  private final TestClock clock = new TestClock(Instant.parse("2030-05-01T00:00:00Z"));

  private Config config(String ca, String role) throws Exception {
    Files.writeString(dir.resolve("pass"), PASS + "\n");
    Path f = dir.resolve("certkeeper.yaml");
    Files.writeString(f, "ca:\n" + ca + "listeners:\n  - {name: l, bind: 18080, role: " + role + "}\n");
    return ConfigLoader.load(f);
  }

  private String passphrase() {
    return "  passphrase: 'file:" + dir.resolve("pass") + "'\n";
  }

  private PkiServices start(Store store, Config c) throws Exception {
    return PkiServices.start(c.ca(), dir.resolve("data"), new IssuedCertificateRepository(store), clock, c.listeners());
  }

  private Store storeWithCa() throws Exception {
    Files.createDirectories(dir.resolve("data"));
    Store store = Store.openEmbedded(dir.resolve("data"), 2);
    LocalCa.init(dir.resolve("data/ca"), new InitRequest("Services CA", KeyType.EC_P256, Duration.ofDays(3650),
        Optional.empty()), PASS.toCharArray(), new IssuedCertificateRepository(store), clock);
    return store;
  }

  @Test
  void aSignerDueForRenewalStillServesWhenThereIsNoPassphraseToRenewIt() throws Exception {
    try (Store store = storeWithCa()) {
      start(store, config(passphrase(), "ocsp")).close();
      assertTrue(Files.exists(dir.resolve("data/ca/ocsp-signer.key.pem")));
      clock.advance(Duration.ofDays(25));
      start(store, config("  crl-validity: 7d\n", "ocsp")).close(); // warns, starts

      Files.delete(dir.resolve("data/ca/ocsp-signer.pem"));
      CaException e = assertThrows(CaException.class, () -> start(store, config("  crl-validity: 7d\n", "ocsp")));
      assertTrue(e.getMessage().contains("is missing and ca.passphrase is not set"), e.getMessage());
    }
  }

  @Test
  void withoutACaNeitherRoleStarts() throws Exception {
    Files.createDirectories(dir.resolve("data"));
    try (Store store = Store.openEmbedded(dir.resolve("data"), 2)) {
      CaException e = assertThrows(CaException.class, () -> start(store, config(passphrase(), "ocsp")));
      assertTrue(e.getMessage().contains("there is no CA in"), e.getMessage());
      e = assertThrows(CaException.class, () -> start(store,
          config("  issuer-url: http://pki.example/ca.der\n", "pki")));
      assertTrue(e.getMessage().contains("there is no CA in"), e.getMessage());
    }
  }

  @Test
  void aPkiListenerNeedsAnHttpCrlUrlOrAnIssuerUrl() throws Exception {
    try (Store store = storeWithCa()) {
      CaException e = assertThrows(CaException.class,
          () -> start(store, config("  crl-url: ldap://ldap.example/cn=crl\n", "pki")));
      assertTrue(e.getMessage().contains("set at least one"), e.getMessage());
      start(store, config("  crl-url: http://pki.example/ca.crl\n", "pki")).close();
    }
  }
}
