package io.certkeeper.metrics;

import io.certkeeper.store.EventCounts;
import io.certkeeper.store.StoreException;
import java.util.List;
import java.util.Map;

/**
 * The event counters, as the store counts them ({@link EventCounts}): every renewal, whoever ran it
 * (the daemon's schedule, {@code certkeeper renew}, the API), and every alert delivery, counted in
 * the transaction that records it. So they survive restarts and count the other processes too;
 * Prometheus's {@code rate()} and {@code increase()} work on them as on any counter.
 */
final class Counters {
  static final String RENEWALS = "certkeeper_renewals_total";
  static final String ALERTS = "certkeeper_alerts_total";

  private Counters() {}

  /** Adds both counter families (also when nothing was counted yet). */
  static void addTo(Exposition e, EventCounts counts) throws StoreException {
    addTo(e, counts.read(EventCounts.RENEWALS), counts.read(EventCounts.ALERTS));
  }

  static void addTo(Exposition e, Map<List<String>, Long> renewals, Map<List<String>, Long> alerts) {
    Exposition.Family r = e.counter(RENEWALS,
        "Renewals of managed certificates (by the daemon, the CLI or the API), by result: success or failure.",
        "result");
    renewals.forEach((labels, n) -> {
      if (labels.size() == 1) {
        r.add(n, labels.get(0));
      }
    });
    Exposition.Family a = e.counter(ALERTS,
        "Alert deliveries (one per recipient), by event kind and result: sent, retry (a temporary failure) or"
            + " failed (for good).", "event", "result");
    alerts.forEach((labels, n) -> {
      if (labels.size() == 2) {
        a.add(n, labels.get(0), labels.get(1));
      }
    });
  }
}
