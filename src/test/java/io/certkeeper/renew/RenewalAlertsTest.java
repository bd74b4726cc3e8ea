package io.certkeeper.renew;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.alert.AlertEvaluator;
import io.certkeeper.alert.AlertLedger;
import io.certkeeper.config.EndpointCodec;
import io.certkeeper.config.EndpointConfig;
import io.certkeeper.store.EndpointRepository;
import io.certkeeper.store.EndpointRow;
import io.certkeeper.store.LedgerEntry;
import io.certkeeper.store.ManagedRenewal;
import io.certkeeper.store.ProbeRecord;
import io.certkeeper.store.ProbeResultRepository;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A managed certificate is alerted on its renewal, not on the expiry thresholds of the endpoints
 * that serve it: nothing while its renewal is ahead, one {@code renewal_overdue} when it is late,
 * and only the thresholds after that. Real store, CA and outbox; the clock moves.
 */
class RenewalAlertsTest {
  static final String SERVED = "127.0.0.1:8443";

  @TempDir Path dir;

  static String yaml(String endpoints) {
    return "ca:\n  passphrase: env:UNUSED\n"
        + "alerts:\n  recipients: [ops@example.com]\n"
        + "certificates:\n"
        + "  - name: web\n"
        + "    common-name: localhost\n"
        + "    validity: 30d\n"
        + "    owners: [web@example.com]\n"
        + endpoints;
  }

  /** Endpoints of the configuration into the store, as the daemon syncs them. */
  static void syncEndpoints(ManagedFixture f) throws Exception {
    List<EndpointRow> rows = new ArrayList<>();
    for (EndpointConfig e : f.config.get().endpoints()) {
      rows.add(new EndpointRow(e.id(), e.target().toString(), EndpointRow.CONFIG, e.group(), EndpointCodec.toJson(e),
          f.clock.instant(), f.clock.instant()));
    }
    new EndpointRepository(f.store).syncConfig("node-a", rows, f.clock.instant());
  }

  /** A probe of {@code endpoint} that obtained {@code g}, judged by the prober alone ({@code expiring} within 30d). */
  static void probe(ManagedFixture f, String endpoint, Generation g) throws Exception {
    boolean expiring = Duration.between(f.clock.instant(), g.notAfter()).compareTo(Duration.ofDays(30)) < 0;
    List<String> problems = expiring ? List.of("expiring") : List.of();
    new ProbeResultRepository(f.store).record(new ProbeRecord(endpoint, f.clock.instant(),
        expiring ? "expiring" : "ok", problems, "probed", Optional.of("127.0.0.1"), Optional.of("TLSv1.3"),
        Optional.empty(), List.of(g.certificate()), true, Optional.of(g.notAfter()), "none", Optional.of(1L),
        Optional.of(1L), 2));
  }

  static List<String> ledger(ManagedFixture f) throws Exception {
    List<String> out = new ArrayList<>();
    for (LedgerEntry e : new AlertLedger(f.store).list(List.of(), 1000)) {
      out.add(e.kind() + " " + e.detail() + " " + e.recipient());
    }
    return out.stream().sorted().toList();
  }

  @Test
  void aServedManagedCertificateIsAlertedOnceWhenItsRenewalIsOverdueAndNotAsExpiringBefore() throws Exception {
    try (ManagedFixture f = new ManagedFixture(dir, yaml("endpoints:\n  - target: " + SERVED + "\n"))) {
      syncEndpoints(f);
      f.renewer.issueMissing();
      Generation g = f.current("web");
      RenewalWatch watch = RenewalWatch.of(f.config.get().nodeName(), () -> f.config.get().certificates());
      AlertEvaluator evaluator = AlertEvaluator.create(f.store, () -> f.config.get().alerts(), f.clock, watch);
      ManagedRenewal m = watch.find(f.store, g.sha256()).orElseThrow();
      assertTrue(m.isCurrent());

      // a fresh 30-day certificate: inside the endpoint's 30d warning from the start, yet no alert
      // while its renewal is ahead (the daemon is not renewing here: nothing calls check())
      while (f.clock.instant().isBefore(m.overdueAt())) {
        probe(f, SERVED, g);
        evaluator.evaluate();
        assertEquals(List.of(), ledger(f), "at " + f.clock.instant());
        f.clock.advance(Duration.ofHours(6));
      }
      f.clock.set(m.overdueAt());
      probe(f, SERVED, g);
      evaluator.evaluate();
      evaluator.evaluate();
      assertEquals(List.of("renewal_overdue  web@example.com"), ledger(f), "once, to the certificate's owners");
      LedgerEntry e = new AlertLedger(f.store).list(List.of(), 10).get(0);
      assertEquals("web renewal overdue on " + SERVED, e.title());
      assertEquals("warning", e.severity());

      // the thresholds crossed after the overdue time still escalate, each once; the 30d and 14d
      // thresholds, crossed while the renewal was ahead, never fire
      Instant end = g.notAfter().plus(Duration.ofHours(1));
      while (f.clock.instant().isBefore(end)) {
        f.clock.advance(Duration.ofHours(6));
        probe(f, SERVED, g);
        evaluator.evaluate();
      }
      assertEquals(List.of("expiry 1d ops@example.com", "expiry 3d ops@example.com", "expiry 7d ops@example.com",
          "expiry expired ops@example.com", "renewal_overdue  web@example.com"), ledger(f));
    }
  }

  @Test
  void aManagedCertificateNoEndpointServesIsAlertedWhenOverdueAndARenewedOneStartsAfresh() throws Exception {
    try (ManagedFixture f = new ManagedFixture(dir, yaml(""))) {
      f.renewer.issueMissing();
      Generation first = f.current("web");
      RenewalWatch watch = RenewalWatch.of(f.config.get().nodeName(), () -> f.config.get().certificates());
      AlertEvaluator evaluator = AlertEvaluator.create(f.store, () -> f.config.get().alerts(), f.clock, watch);
      ManagedRenewal m = watch.find(f.store, first.sha256()).orElseThrow();

      f.clock.set(m.overdueAt().minusSeconds(1));
      assertEquals(java.util.List.of(0, 0), sent(evaluator.evaluate()));
      f.clock.set(m.overdueAt());
      assertEquals(java.util.List.of(1, 0), sent(evaluator.evaluate()));
      assertEquals(java.util.List.of(0, 0), sent(evaluator.evaluate()), "once per event");
      assertEquals(List.of("renewal_overdue  web@example.com"), ledger(f));
      assertEquals("web renewal overdue", new AlertLedger(f.store).list(List.of(), 10).get(0).title());

      // renewed late: the new generation has its renewal ahead, so nothing more
      f.renewer.check();
      Generation second = f.current("web");
      assertTrue(!second.serial().equals(first.serial()));
      evaluator.evaluate();
      assertEquals(1, ledger(f).size(), ledger(f).toString());
      f.clock.set(watch.find(f.store, second.sha256()).orElseThrow().overdueAt());
      evaluator.evaluate();
      assertEquals(2, ledger(f).size(), "the next generation is its own event: " + ledger(f));
    }
  }

  @Test
  void aCertificateThatIsNoLongerConfiguredIsJudgedByThresholdsAgain() throws Exception {
    try (ManagedFixture f = new ManagedFixture(dir, yaml(""))) {
      f.renewer.issueMissing();
      Generation g = f.current("web");
      RenewalWatch nothing = RenewalWatch.of(io.certkeeper.config.NodeName.ofHost(), List::of);
      assertEquals(Optional.empty(), nothing.find(f.store, g.sha256()));
      assertEquals(List.of(), f.store.inTransaction(nothing::current));
    }
  }

  /** What a pass mailed and recorded as passed; how many endpoints it looked at varies. */
  private static java.util.List<Integer> sent(AlertEvaluator.Result r) {
    return java.util.List.of(r.alerted(), r.suppressed());
  }
}
