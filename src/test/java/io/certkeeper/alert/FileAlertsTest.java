package io.certkeeper.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.files.FileInventory;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.LedgerEntry;
import io.certkeeper.store.ManagedRenewals;
import io.certkeeper.store.WatchedFileRepository;
import io.certkeeper.x509.Fingerprints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts about watched files and issued certificates, on a real store with files on disk: each
 * threshold of a file's certificate once, a problem once and its resolution once, a stale deploy
 * once per served certificate; and the thresholds of an issued leaf until a newer one replaces it.
 */
class FileAlertsTest {
  static final String API = "api.example.com:443";

  @TempDir Path dir;
  AlertFixture f;
  FileInventory inventory;
  FileAlerts alerts;

  @BeforeEach
  void open() throws Exception {
    Files.createDirectories(dir.resolve("tls"));
    f = new AlertFixture(dir, "alerts:\n  recipients: [ops@example.com]\n"
        + "endpoints:\n  - target: api.example.com:443\n"
        + "files:\n"
        + "  - paths: [" + dir.resolve("tls") + "/*.pem, " + dir.resolve("absent.pem") + "]\n"
        + "    owners: [web@example.com]\n"
        + "    endpoints: [" + API + "]\n");
    inventory = new FileInventory(new WatchedFileRepository(f.store, "n1"), f.clock);
    alerts = new FileAlerts(f.store, "n1", AlertOutbox.create(f::alerts, f.clock), f.clock);
  }

  @AfterEach
  void close() {
    f.close();
  }

  private List<String> events() throws Exception {
    List<LedgerEntry> all = new AlertLedger(f.store).list(List.of(), 1000);
    return all.stream().map(e -> e.kind() + " " + e.detail().replaceAll(" [0-9]+$", "") + " " + e.recipient())
        .sorted().collect(Collectors.toList());
  }

  private void rescan() throws Exception {
    inventory.rescanAll(f.config.files());
  }

  @Test
  void thresholdsProblemsAndStaleDeploysAreEachAlertedOnce() throws Exception {
    X509Certificate cert = AlertFixture.certExpiringIn(Duration.ofDays(20));
    TestPki.writePem(dir.resolve("tls/api.pem"), cert);
    rescan();
    alerts.evaluate(f.alerts());
    alerts.evaluate(f.alerts());
    assertEquals(List.of("expiry 30d web@example.com", "problem missing web@example.com"), events(),
        "the 30-day threshold (crossed at once with nothing else), and the missing file");

    f.clock.advance(Duration.ofDays(7));
    rescan();
    alerts.evaluate(f.alerts());
    alerts.evaluate(f.alerts());
    assertEquals(List.of("expiry 14d web@example.com", "expiry 30d web@example.com",
        "problem missing web@example.com"), events());

    // the endpoint the entry links to serves another certificate (a renewal the file did not get)
    X509Certificate served = AlertFixture.certExpiringIn(Duration.ofDays(90));
    f.probe(API, List.of(), served);
    alerts.evaluate(f.alerts());
    alerts.evaluate(f.alerts());
    List<String> now = events();
    assertEquals(1, now.stream().filter(e -> e.startsWith("stale_deploy " + API)).count(), now.toString());
    List<WatchedFileRepository.StaleDeploy> stale = staleDeploys(f);
    assertEquals(1, stale.size(), stale.toString());
    assertEquals(Fingerprints.sha256(served), stale.get(0).servedSha256());
    assertTrue(!stale.get(0).fileIsNewer(), "the endpoint serves the newer one");

    // the file gets the renewed certificate, and the missing one appears: nothing stale, the problem resolved
    TestPki.writePem(dir.resolve("tls/api.pem"), served);
    TestPki.writePem(dir.resolve("absent.pem"), served);
    rescan();
    alerts.evaluate(f.alerts());
    alerts.evaluate(f.alerts());
    assertEquals(List.of(), staleDeploys(f));
    now = events();
    assertEquals(1, now.stream().filter(e -> e.startsWith("resolved")).count(), now.toString());
    assertEquals(5, now.size(), "nothing else: " + now);
  }

  @Test
  void issuedLeavesCrossThresholdsUntilReplaced() throws Exception {
    IssuedAlerts issued = new IssuedAlerts(f.store, AlertOutbox.create(f::alerts, f.clock), f.clock,
        ManagedRenewals.NONE);
    IssuedCertificateRepository repo = new IssuedCertificateRepository(f.store);
    X509Certificate leaf = AlertFixture.certExpiringIn(Duration.ofDays(7).plusHours(1));
    repo.record(leaf, "ca".repeat(32), "server", f.clock.instant());
    assertEquals(0, issued.evaluate(f.alerts())[0], "7 days and an hour left: no threshold crossed since the look-back");
    f.clock.advance(Duration.ofHours(2));
    assertEquals(1, issued.evaluate(f.alerts())[0]);
    assertEquals(0, issued.evaluate(f.alerts())[0], "once");
    assertEquals(List.of("expiry 7d ops@example.com"), events());

    // a newer certificate for the same names: the old one is not alerted any more
    X509Certificate renewed = AlertFixture.certExpiringIn(Duration.ofDays(90));
    repo.record(renewed, "ca".repeat(32), "server", f.clock.instant());
    f.clock.advance(Duration.ofDays(5));
    assertEquals(0, issued.evaluate(f.alerts())[0], "the 3-day threshold of a replaced certificate");
    assertEquals(List.of("expiry 7d ops@example.com"), events());
  }

  private static List<WatchedFileRepository.StaleDeploy> staleDeploys(AlertFixture f) throws Exception {
    WatchedFileRepository repo = new WatchedFileRepository(f.store, "n1");
    return repo.staleDeploys(repo.list());
  }
}
