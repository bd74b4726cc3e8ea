package io.certkeeper.alert;

import io.certkeeper.store.LedgerEntry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.store.CertificateRecord;
import io.certkeeper.store.CertificateRepository;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertEvaluatorTest {
  static final String API = "api.example.com:443";

  @TempDir Path dir;
  AlertFixture f;
  AlertEvaluator evaluator;
  AlertLedger ledger;

  @BeforeEach
  void open() throws Exception {
    f = new AlertFixture(dir, "alerts:\n  recipients: [ops@example.com]\n"
        + "endpoints:\n  - target: api.example.com:443\n    owners: [web@example.com]\n");
    evaluator = AlertEvaluator.create(f.store, f::alerts, f.clock);
    ledger = new AlertLedger(f.store);
  }

  @AfterEach
  void close() {
    f.close();
  }

  private List<String> titles() throws Exception {
    List<LedgerEntry> all = ledger.list(List.of(), 1000);
    return all.stream().map(e -> e.detail() + " " + e.recipient()).sorted().collect(Collectors.toList());
  }

  @Test
  void eachThresholdIsMailedExactlyOnceAsTheClockMoves() throws Exception {
    X509Certificate cert = AlertFixture.certExpiringIn(Duration.ofDays(35));
    for (int hour = 0; hour <= 40 * 24; hour += 6) {
      f.probe(API, List.of(), cert);
      evaluator.evaluate();
      evaluator.evaluate();
      f.clock.advance(Duration.ofHours(6));
    }
    assertEquals(List.of("14d web@example.com", "1d web@example.com", "30d web@example.com", "3d web@example.com",
        "7d web@example.com", "expired web@example.com"), titles());
  }

  @Test
  void aPassLooksAgainOnlyAtEndpointsWithNews() throws Exception {
    X509Certificate cert = AlertFixture.certExpiringIn(Duration.ofDays(35));
    f.probe(API, List.of(), cert);
    assertEquals(1, evaluator.evaluate().evaluated());
    assertEquals(0, evaluator.evaluate().evaluated(), "nothing new");
    f.clock.advance(Duration.ofDays(1));
    assertEquals(0, evaluator.evaluate().evaluated(), "34 days left: no threshold reached");
    f.clock.advance(Duration.ofDays(4).plusMinutes(1));
    AlertEvaluator.Result r = evaluator.evaluate();
    assertEquals(List.of(1, 1), List.of(r.evaluated(), r.alerted()), "the 30-day threshold was reached");
    assertEquals(0, evaluator.evaluate().evaluated());
    f.probe(API, List.of(), cert);
    assertEquals(1, evaluator.evaluate().evaluated(), "a new result");
    assertEquals(List.of("30d web@example.com"), titles());
  }

  @Test
  void afterALongGapOnlyTheMostSevereCrossedThresholdIsMailed() throws Exception {
    X509Certificate cert = AlertFixture.certExpiringIn(Duration.ofDays(35));
    f.probe(API, List.of(), cert);
    assertEquals(java.util.List.of(0, 0), sent(evaluator.evaluate()));
    f.clock.advance(Duration.ofDays(33)); // two days left: 30d, 14d, 7d and 3d crossed while down
    f.probe(API, List.of(), cert);
    assertEquals(java.util.List.of(1, 3), sent(evaluator.evaluate()));
    assertEquals(List.of("3d web@example.com"), titles());
    LedgerEntry e = ledger.list(List.of(), 10).get(0);
    assertEquals("api.example.com:443 certificate expires in 2 days", e.title());
    assertEquals("critical", e.severity());
    f.clock.advance(Duration.ofDays(2));
    evaluator.evaluate();
    assertEquals(List.of("1d web@example.com", "3d web@example.com"), titles());
  }

  @Test
  void aRenewedCertificateStartsFreshAndAChangeNotIssuedHereIsReported() throws Exception {
    X509Certificate old = AlertFixture.certExpiringIn(Duration.ofDays(5));
    f.probe(API, List.of(), old);
    evaluator.evaluate();
    assertEquals(List.of("7d web@example.com"), titles());
    X509Certificate foreign = AlertFixture.certExpiringIn(Duration.ofDays(6));
    f.clock.advance(Duration.ofMinutes(5));
    f.probe(API, List.of(), foreign);
    evaluator.evaluate();
    List<String> t = titles();
    assertEquals(3, t.size(), t.toString());
    assertTrue(t.contains("7d web@example.com"), t.toString());
    assertEquals(2, t.stream().filter(x -> x.equals("7d web@example.com")).count(), "new certificate, new 7d alert");
    assertTrue(t.stream().anyMatch(x -> x.matches("\\d+ web@example.com")), "the change is reported: " + t);
  }

  @Test
  void aCertificateIssuedByCertkeeperIsAnExpectedChange() throws Exception {
    f.probe(API, List.of(), AlertFixture.certExpiringIn(Duration.ofDays(90)));
    evaluator.evaluate();
    X509Certificate renewed = AlertFixture.certExpiringIn(Duration.ofDays(91));
    new CertificateRepository(f.store).upsert(renewed, CertificateRecord.Source.ISSUED, f.clock.instant());
    f.clock.advance(Duration.ofMinutes(5));
    f.probe(API, List.of(), renewed);
    evaluator.evaluate();
    assertEquals(List.of(), titles());
  }

  @Test
  void newProblemFailingAfterThreeAndResolvedEachOnce() throws Exception {
    X509Certificate cert = AlertFixture.certExpiringIn(Duration.ofDays(90));
    f.probe(API, List.of("untrusted_root"), cert);
    evaluator.evaluate();
    f.probe(API, List.of("untrusted_root"), cert);
    evaluator.evaluate();
    for (int i = 0; i < 5; i++) {
      f.clock.advance(Duration.ofMinutes(5));
      f.probe(API, List.of("refused"));
      evaluator.evaluate();
    }
    f.probe(API, List.of(), cert);
    evaluator.evaluate();
    evaluator.evaluate();
    List<String> kinds = ledger.list(List.of(), 100).stream().map(LedgerEntry::kind).sorted().toList();
    assertEquals(List.of("failing", "problem", "resolved"), kinds);
    LedgerEntry problem = ledger.list(List.of(), 100).stream().filter(e -> e.kind().equals("problem")).findFirst().get();
    assertEquals("api.example.com:443 new problem: untrusted_root", problem.title());
  }

  @Test
  void anEndpointWithoutOwnersAlertsTheDefaultRecipients() throws Exception {
    f.close();
    f = new AlertFixture(dir.resolve("other"), "alerts:\n  recipients: [ops@example.com]\n"
        + "endpoints:\n  - api.example.com:443\n");
    evaluator = AlertEvaluator.create(f.store, f::alerts, f.clock);
    ledger = new AlertLedger(f.store);
    f.probe(API, List.of(), AlertFixture.certExpiringIn(Duration.ofDays(20)));
    evaluator.evaluate();
    assertEquals(List.of("30d ops@example.com"), titles());
  }

  /** What a pass mailed and recorded as passed; how many endpoints it looked at varies. */
  private static java.util.List<Integer> sent(AlertEvaluator.Result r) {
    return java.util.List.of(r.alerted(), r.suppressed());
  }
}
