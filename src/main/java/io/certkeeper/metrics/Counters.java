package io.certkeeper.metrics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * The daemon's event counters, counted in memory from its start (Prometheus's {@code rate()} and
 * {@code increase()} handle the reset at a restart). One instance per daemon; the services that
 * renew and alert increment it, {@link Metrics} renders it. Thread-safe and cheap to call.
 *
 * <p>Label values are short codes, never free text, so the number of series stays bounded:
 * lowercase letters, digits and {@code _}, at most 40 characters, e.g. {@code success},
 * {@code failure}, {@code expiring}, {@code probe_failed}, {@code sent}, {@code retry}.
 */
public final class Counters {
  /** A code usable as a label value. */
  static final Pattern CODE = Pattern.compile("[a-z][a-z0-9_]{0,39}");

  static final String RENEWALS = "certkeeper_renewals_total";
  static final String ALERTS = "certkeeper_alerts_total";

  private final Map<List<String>, LongAdder> renewals = new ConcurrentHashMap<>();
  private final Map<List<String>, LongAdder> alerts = new ConcurrentHashMap<>();

  /**
   * One renewal attempt of a managed certificate ended with {@code result}, e.g. {@code success} or
   * {@code failure}.
   */
  public void renewal(String result) {
    renewals.computeIfAbsent(List.of(code("result", result)), k -> new LongAdder()).increment();
  }

  /**
   * One alert for {@code event} (e.g. {@code expiring}, {@code probe_failed}, {@code certificate_changed})
   * ended with {@code result} (e.g. {@code sent}, {@code failed}).
   */
  public void alert(String event, String result) {
    alerts.computeIfAbsent(List.of(code("event", event), code("result", result)), k -> new LongAdder()).increment();
  }

  /** Renewals counted with {@code result} so far. */
  public long renewals(String result) {
    LongAdder a = renewals.get(List.of(result));
    return a == null ? 0 : a.sum();
  }

  /** Alerts counted with {@code event} and {@code result} so far. */
  public long alerts(String event, String result) {
    LongAdder a = alerts.get(List.of(event, result));
    return a == null ? 0 : a.sum();
  }

  /** Adds both counter families (also when nothing was counted yet). */
  void addTo(Exposition e) {
    Exposition.Family r = e.counter(RENEWALS,
        "Renewals of managed certificates since the daemon started, by result.", "result");
    renewals.forEach((labels, n) -> r.add(n.sum(), labels.toArray(new String[0])));
    Exposition.Family a = e.counter(ALERTS,
        "Alerts since the daemon started, by event and delivery result.", "event", "result");
    alerts.forEach((labels, n) -> a.add(n.sum(), labels.toArray(new String[0])));
  }

  private static String code(String label, String value) {
    if (value == null || !CODE.matcher(value).matches()) {
      throw new IllegalArgumentException(label + " must be a short code ([a-z][a-z0-9_]{0,39}), not free text: " + value);
    }
    return value;
  }
}
