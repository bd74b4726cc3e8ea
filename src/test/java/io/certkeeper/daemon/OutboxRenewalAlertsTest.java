package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.alert.AlertLedger;
import io.certkeeper.alert.AlertOutbox;
import io.certkeeper.ca.InitRequest;
import io.certkeeper.ca.Issuer;
import io.certkeeper.ca.LocalCa;
import io.certkeeper.config.Config;
import io.certkeeper.config.ConfigLoader;
import io.certkeeper.renew.CaPolicies;
import io.certkeeper.renew.Renewer;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.LedgerEntry;
import io.certkeeper.store.ManagedCertificateRepository;
import io.certkeeper.store.Store;
import io.certkeeper.testing.TestClock;
import io.certkeeper.x509.KeyType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The renewal code's alerts reach alerting's outbox through the daemon's adapter: a failed renewal
 * with its failure record, once per certificate being renewed, and a failed hook, each to the
 * certificate's owners. Real store, CA and outbox; the clock moves.
 */
class OutboxRenewalAlertsTest {
  static final String PASS = "a long enough CA passphrase";

  @TempDir Path dir;

  private final TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));

  static String yaml(String ca, String hooks) {
    return "ca:\n  passphrase: env:UNUSED\n" + ca
        + "alerts:\n  recipients: [ops@example.com]\n"
        + "certificates:\n"
        + "  - name: web\n"
        + "    common-name: www.example.test\n"
        + "    validity: 90d\n"
        + "    owners: [web@example.com]\n"
        + hooks;
  }

  /** A renewer whose CA applies {@code config}'s policy, reporting to an outbox routed by it. */
  private Renewer renewer(Store store, Path data, Config config) throws Exception {
    IssuedCertificateRepository repo = new IssuedCertificateRepository(store);
    Issuer issuer = Issuer.forCa(LocalCa.load(data.resolve("ca"), PASS.toCharArray()), CaPolicies.of(config.ca()),
        repo, clock, Optional.empty());
    return Renewer.builder(store, issuer, () -> config, data, clock)
        .alerts(OutboxRenewalAlerts.to(AlertOutbox.create(config::alerts, clock)))
        .build();
  }

  private Config load(String yaml) throws Exception {
    Path f = dir.resolve("certkeeper.yaml");
    Files.writeString(f, yaml);
    return ConfigLoader.load(f);
  }

  private Path initCa(Store store) throws Exception {
    Path data = dir.resolve("data");
    LocalCa.init(data.resolve("ca"), new InitRequest("Test CA", KeyType.EC_P256, Duration.ofDays(3650),
        Optional.empty()), PASS.toCharArray(), new IssuedCertificateRepository(store), clock);
    return data;
  }

  private static List<String> ledger(Store store) throws Exception {
    return new AlertLedger(store).list(List.of(), 100).stream()
        .map(e -> e.kind() + " " + e.severity() + " " + e.recipient()).sorted().toList();
  }

  @Test
  void aFailedRenewalIsAlertedToItsOwnersOnceWithItsFailureRecorded() throws Exception {
    Files.createDirectories(dir.resolve("data"));
    try (Store store = Store.openEmbedded(dir.resolve("data"), 4)) {
      Path data = initCa(store);
      assertEquals(Renewer.Kind.RENEWED, renewer(store, data, load(yaml("", ""))).renew("web", true).kind());
      assertEquals(List.of(), ledger(store));

      // the CA now refuses the name: every attempt fails
      Renewer broken = renewer(store, data, load(yaml("  policy:\n    allowed-names: [\"*.other.test\"]\n", "")));
      clock.advance(Duration.ofDays(61));
      Renewer.Outcome o = broken.renew("web", false);
      assertEquals(Renewer.Kind.FAILED, o.kind(), o.toString());
      assertEquals(1, new ManagedCertificateRepository(store, io.certkeeper.config.NodeName.ofHost()).find("web").orElseThrow().consecutiveFailures());
      assertEquals(List.of("renewal_failed critical web@example.com"), ledger(store));
      LedgerEntry e = new AlertLedger(store).list(List.of(), 1).get(0);
      assertEquals("web renewal failed", e.title());
      assertEquals("certificate:web", e.subject());

      clock.advance(Duration.ofMinutes(6));
      assertEquals(Renewer.Kind.FAILED, broken.renew("web", false).kind());
      assertEquals(2, new ManagedCertificateRepository(store, io.certkeeper.config.NodeName.ofHost()).find("web").orElseThrow().consecutiveFailures());
      assertEquals(List.of("renewal_failed critical web@example.com"), ledger(store), "one alert per renewal");
    }
  }

  @Test
  void aFailedHookIsAlertedAndTheRenewalStays() throws Exception {
    Files.createDirectories(dir.resolve("data"));
    try (Store store = Store.openEmbedded(dir.resolve("data"), 4)) {
      Path data = initCa(store);
      Config config = load(yaml("", "    hooks:\n      - command: [\"false\"]\n        timeout: 10s\n"));
      Renewer.Outcome o = renewer(store, data, config).renew("web", true);
      assertEquals(Renewer.Kind.RENEWED, o.kind(), o.toString());
      assertEquals(1, o.hookErrors().size(), o.toString());
      assertEquals(o.serial(), new ManagedCertificateRepository(store, io.certkeeper.config.NodeName.ofHost()).find("web").map(s -> s.serial()));
      assertEquals(List.of("hook_failed warning web@example.com"), ledger(store));
      assertTrue(new AlertLedger(store).list(List.of(), 1).get(0).title().contains("deploy hook failed"));
    }
  }
}
