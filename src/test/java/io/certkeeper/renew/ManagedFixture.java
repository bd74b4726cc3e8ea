package io.certkeeper.renew;

import io.certkeeper.store.ManagedState;
import io.certkeeper.store.ManagedCertificateRepository;
import io.certkeeper.testing.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.ca.InitRequest;
import io.certkeeper.ca.Issuer;
import io.certkeeper.ca.LocalCa;
import io.certkeeper.config.Config;
import io.certkeeper.config.ConfigLoader;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.Store;
import io.certkeeper.testing.ExternalTool;
import io.certkeeper.x509.KeyType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** A data directory with a store and a CA, a moving clock, and a renewer over a YAML configuration. */
final class ManagedFixture implements AutoCloseable {
  static final String PASS = "a long enough CA passphrase";

  final Path dir;
  final Path data;
  final TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
  final Store store;
  final AtomicReference<Config> config = new AtomicReference<>();
  final Renewer renewer;
  private final Issuer issuer;

  ManagedFixture(Path dir, String certificatesYaml) throws Exception {
    this.dir = dir;
    this.data = dir.resolve("data");
    Files.createDirectories(data);
    store = Store.openEmbedded(data, 4);
    IssuedCertificateRepository repo = new IssuedCertificateRepository(store);
    LocalCa ca = LocalCa.init(data.resolve("ca"), new InitRequest("Test CA", KeyType.EC_P256, Duration.ofDays(3650),
        Optional.of(Duration.ofDays(1825))), PASS.toCharArray(), repo, clock);
    configure(certificatesYaml);
    issuer = Issuer.forCa(ca, CaPolicies.of(config.get().ca()), repo, clock, Optional.empty());
    renewer = Renewer.builder(store, issuer, config::get, data, clock).build();
  }

  /** Another renewer over the same store, CA and configuration, told by {@code stopping} when its process stops. */
  Renewer renewer(java.util.function.BooleanSupplier stopping) {
    return Renewer.builder(store, issuer, config::get, data, clock).stopping(stopping).build();
  }

  void configure(String certificatesYaml) throws Exception {
    Path f = dir.resolve("certkeeper.yaml");
    Files.writeString(f, certificatesYaml);
    config.set(ConfigLoader.load(f));
  }

  ManagedState state(String name) throws Exception {
    return records().find(name).orElseThrow();
  }

  /** The managed certificates of this fixture's node (the configuration's). */
  ManagedCertificateRepository records() {
    return new ManagedCertificateRepository(store, config.get().nodeName());
  }

  Generation current(String name) throws Exception {
    return new Generations(data, name).current().orElseThrow();
  }

  /** openssl's verdict that {@code key} belongs to the first certificate in {@code cert}. */
  static void assertKeyMatches(Path cert, Path key) {
    ExternalTool.Result a = ExternalTool.run(cert.getParent(), "openssl", "x509", "-noout", "-pubkey", "-in", cert.toString());
    ExternalTool.Result b = ExternalTool.run(key.getParent(), "openssl", "pkey", "-pubout", "-in", key.toString());
    assertTrue(a.ok(), a.output());
    assertTrue(b.ok(), b.output());
    assertEquals(a.output(), b.output(), "key " + key + " does not match " + cert);
  }

  /** The serial openssl reads from {@code cert}, lowercase without leading zeros. */
  static String serialOf(Path cert) {
    ExternalTool.Result r = ExternalTool.run(cert.getParent(), "openssl", "x509", "-noout", "-serial", "-in", cert.toString());
    assertTrue(r.ok(), r.output());
    return r.output().trim().substring("serial=".length()).toLowerCase(java.util.Locale.ROOT).replaceFirst("^0+", "");
  }

  @Override
  public void close() {
    store.close();
  }
}
