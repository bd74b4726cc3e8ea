package io.certkeeper.alert;

import io.certkeeper.config.AlertsConfig;
import io.certkeeper.config.EndpointCodec;
import io.certkeeper.config.EndpointConfig;
import io.certkeeper.store.CertificateBrief;
import io.certkeeper.store.CertificateRecord;
import io.certkeeper.store.EndpointAlertState;
import io.certkeeper.store.EndpointChange;
import io.certkeeper.store.EndpointRepository;
import io.certkeeper.store.EndpointRow;
import io.certkeeper.store.EndpointState;
import io.certkeeper.store.ManagedRenewal;
import io.certkeeper.store.ManagedRenewals;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import io.certkeeper.store.Transaction;
import io.certkeeper.util.Printable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the store's view of each endpoint (latest probe state, last leaf, change events) into alert
 * events. One transaction per endpoint reads its state, decides with the pure policies, writes the
 * events through the {@link AlertOutbox} and records what was alerted, all in one store
 * {@link Transaction}, so that a crash at any point leaves either both or neither. Works whoever
 * writes the probe tables; the tables are the store's, the decisions this class's.
 *
 * <p>A pass looks again only at what may have changed: an endpoint is evaluated when it has a new
 * probe result, its settings or the alert settings changed, the time reached the next threshold
 * of its leaf, or its leaf is a managed certificate (whose renewal moves on its own); otherwise
 * its last evaluation stands. What each endpoint was evaluated on is kept in memory, so the first
 * pass after a start evaluates all of them.
 *
 * <p>Certificates certkeeper renews itself ({@link ManagedRenewals}) are alerted on their renewal,
 * not on the endpoint's expiry thresholds: {@code renewal_overdue} once per generation when it is
 * overdue (in force, or still served by an endpoint); only the thresholds crossed after that time
 * are mailed (and {@code expired}).
 */
public final class AlertEvaluator {
  /** On the first evaluation of an endpoint, changes older than this are history, not news. */
  static final Duration FIRST_LOOK_BACK = Duration.ofDays(1);

  private static final Logger log = LoggerFactory.getLogger(AlertEvaluator.class);

  private final Store store;
  private final Supplier<AlertsConfig> config;
  private final AlertOutbox outbox;
  private final Clock clock;
  private final ManagedRenewals managed;
  private final Map<String, Looked> looked = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * What an endpoint's last evaluation saw: when its settings last changed, its latest result, the
   * alert settings, and until when nothing changes by time alone. (Its decoded settings are not
   * kept: 100,000 endpoints would hold a copy of each.)
   */
  private record Looked(Instant updatedAt, long resultId, AlertsConfig cfg, Instant recheckAt, boolean managed) {}

  /** One endpoint's evaluation: what it wrote, and until when time alone changes nothing. */
  private record Evaluated(List<AlertEvent> written, Instant recheckAt, boolean managed) {}

  private AlertEvaluator(Store store, Supplier<AlertsConfig> config, Clock clock, ManagedRenewals managed) {
    this.store = Objects.requireNonNull(store, "store");
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.managed = Objects.requireNonNull(managed, "managed");
    this.outbox = AlertOutbox.create(config, clock);
  }

  /** An evaluator that knows no managed certificates: every leaf is judged by its endpoint's thresholds. */
  public static AlertEvaluator create(Store store, Supplier<AlertsConfig> config, Clock clock) {
    return new AlertEvaluator(store, config, clock, ManagedRenewals.NONE);
  }

  /** An evaluator that alerts on the renewal of the certificates in {@code managed}. */
  public static AlertEvaluator create(Store store, Supplier<AlertsConfig> config, Clock clock,
      ManagedRenewals managed) {
    return new AlertEvaluator(store, config, clock, managed);
  }

  /**
   * What one evaluation wrote: events mailed and events only recorded as passed; and how many
   * endpoints it evaluated (the others had nothing new).
   */
  public record Result(int alerted, int suppressed, int evaluated) {}

  /**
   * Evaluates every endpoint that may have news (see the class comment); an endpoint that fails is
   * logged, skipped, and evaluated again at the next pass.
   */
  public Result evaluate() throws StoreException {
    AlertsConfig cfg = config.get();
    int alerted = 0;
    int suppressed = 0;
    int evaluated = 0;
    EndpointRepository endpoints = new EndpointRepository(store);
    Map<String, Instant> versions = endpoints.versions();
    Map<String, Long> results = new io.certkeeper.store.ProbeResultRepository(store).lastResultIds();
    looked.keySet().retainAll(versions.keySet());
    Instant now = clock.instant();
    for (Map.Entry<String, Instant> v : versions.entrySet()) {
      String id = v.getKey();
      Long resultId = results.get(id);
      if (resultId == null) {
        continue; // never probed: nothing to say yet
      }
      Looked before = looked.get(id);
      boolean sameSpec = before != null && before.updatedAt().equals(v.getValue());
      if (sameSpec && before.resultId() == resultId && before.cfg().equals(cfg) && !before.managed()
          && now.isBefore(before.recheckAt())) {
        continue;
      }
      Optional<EndpointRow> row = endpoints.find(id);
      if (row.isEmpty()) {
        continue; // removed meanwhile
      }
      EndpointConfig endpoint;
      try {
        endpoint = EndpointCodec.fromJson(row.get().specJson());
      } catch (IllegalArgumentException e) {
        log.warn("{} - not evaluated for alerts: {}", id, e.getMessage());
        continue;
      }
      try {
        Evaluated done = store.inTransaction(tx -> evaluate(tx, endpoint, cfg));
        evaluated++;
        looked.put(id, new Looked(row.get().updatedAt(), resultId, cfg, done.recheckAt(), done.managed()));
        for (AlertEvent e : done.written()) {
          if (e.suppressed()) {
            suppressed++;
          } else {
            alerted++;
            log.info("{} - alert {} {}: {}", id, e.severity().code(), e.kind().code(), Printable.line(e.title()));
          }
        }
      } catch (StoreException e) {
        log.warn("{} - alert evaluation failed: {}", id, e.getMessage());
      }
    }
    List<ManagedRenewal> inForce;
    try {
      inForce = store.inTransaction(managed::current);
    } catch (StoreException e) {
      log.warn("managed certificates - alert evaluation failed: {}", e.getMessage());
      inForce = List.of();
    }
    for (ManagedRenewal m : inForce) {
      if (!m.overdue(now)) {
        continue;
      }
      try {
        if (store.inTransaction(tx -> outbox.enqueue(tx, AlertEvent.renewalOverdue(m, Optional.empty())))) {
          alerted++;
          log.info("{} - alert warning {}: renewal overdue since {}", m.name(), AlertKind.RENEWAL_OVERDUE.code(),
              m.overdueAt());
        }
      } catch (StoreException e) {
        log.warn("{} - alert evaluation failed: {}", m.name(), e.getMessage());
      }
    }
    return new Result(alerted, suppressed, evaluated);
  }

  private Evaluated evaluate(Transaction tx, EndpointConfig e, AlertsConfig cfg) throws StoreException {
    Optional<EndpointState> found = tx.probes().state(e.id());
    if (found.isEmpty()) {
      return new Evaluated(List.of(), Instant.MAX, false);
    }
    EndpointState st = found.get();
    Instant now = clock.instant();
    String subject = "endpoint:" + e.id();
    Optional<EndpointPolicy.Memory> stored = memory(tx, e.id());
    EndpointPolicy.Memory memory = stored.orElse(EndpointPolicy.Memory.fresh(0));
    List<AlertEvent> events = new ArrayList<>();
    List<String> chain = chain(tx, st.lastResultId());
    Instant recheckAt = Instant.MAX;
    boolean isManaged = false;

    if (st.leafSha256().isPresent() && st.leafNotAfter().isPresent()) {
      String leaf = st.leafSha256().get();
      Instant notAfter = st.leafNotAfter().get();
      Optional<ManagedRenewal> renewal = managed.find(tx, leaf);
      isManaged = renewal.isPresent();
      recheckAt = nextThreshold(notAfter, cfg.thresholds(), now);
      List<Duration> thresholds = new ArrayList<>();
      for (Duration t : cfg.thresholds()) {
        // a managed certificate: only the thresholds that come after its renewal is overdue
        boolean afterOverdue = renewal.map(m -> notAfter.minus(t).isAfter(m.overdueAt())).orElse(true);
        if (t.compareTo(e.warning()) <= 0 && afterOverdue) {
          thresholds.add(t);
        }
      }
      if (renewal.isPresent() && renewal.get().overdue(now) && st.consecutiveFailures() == 0) {
        events.add(AlertEvent.renewalOverdue(renewal.get(), Optional.of(e.id())));
      }
      ExpiryPolicy.Decision d = ExpiryPolicy.decide(notAfter, now, thresholds,
          AlertOutbox.recorded(tx, subject, AlertKind.EXPIRY, leaf));
      for (String label : d.fire().map(List::of).orElse(List.of())) {
        events.add(expiry(e, subject, leaf, notAfter, label, now, chain));
      }
      for (String label : d.suppress()) {
        events.add(expiry(e, subject, leaf, notAfter, label, now, chain).asSuppressed());
      }
    }

    EndpointPolicy.Outcome o = EndpointPolicy.decide(memory, st.problems(), st.consecutiveFailures(),
        cfg.failingAfter());
    o.alert().ifPresent(p -> events.add(trouble(e, subject, st, p, chain)));
    EndpointPolicy.Memory next = o.next();

    long lastChange = next.lastChangeId();
    Instant since = stored.isPresent() ? Instant.EPOCH : now.minus(FIRST_LOOK_BACK);
    for (EndpointChange ch : tx.probes().changesAfter(e.id(), lastChange)) {
      lastChange = Math.max(lastChange, ch.id());
      if (ch.detectedAt().isBefore(since) || issuedHere(tx, ch.newSha256())) {
        continue;
      }
      events.add(changed(e, subject, ch.id(), ch.detectedAt(), ch.oldSha256().orElse(null), ch.newSha256(), chain));
    }
    next = new EndpointPolicy.Memory(next.episode(), next.alertedProblems(), next.failingAlerted(), lastChange);

    List<AlertEvent> written = new ArrayList<>();
    for (AlertEvent ev : events) {
      if (outbox.enqueue(tx, ev)) {
        written.add(ev);
      }
    }
    if (stored.isEmpty() || !stored.get().equals(next)) {
      saveMemory(tx, e.id(), next, stored.isPresent(), now);
    }
    return new Evaluated(written, recheckAt, isManaged);
  }

  /** The first instant after {@code now} at which a leaf expiring at {@code notAfter} crosses a threshold or expires. */
  static Instant nextThreshold(Instant notAfter, List<Duration> thresholds, Instant now) {
    // a moment past each instant: a pass at exactly that instant may not count it as crossed yet
    Instant expired = notAfter.plusMillis(1);
    Instant next = expired.isAfter(now) ? expired : Instant.MAX;
    for (Duration t : thresholds) {
      Instant at = notAfter.minus(t).plusMillis(1);
      if (at.isAfter(now) && at.isBefore(next)) {
        next = at;
      }
    }
    return next;
  }

  private AlertEvent expiry(EndpointConfig e, String subject, String leaf, Instant notAfter, String label,
      Instant now, List<String> chain) {
    Severity s = ExpiryPolicy.severity(label, e.critical());
    String remaining = ExpiryPolicy.remaining(notAfter, now);
    String what = label.equals(ExpiryPolicy.EXPIRED)
        ? "The certificate served by " + e.id() + " has expired: clients refuse it."
        : "The certificate served by " + e.id() + " " + remaining + " (alert threshold " + label + ").";
    return new AlertEvent(subject, AlertKind.EXPIRY, label, Optional.of(leaf), s, e.id() + " certificate " + remaining,
        new AlertFacts(what, where(e), "not after " + notAfter + " (checked " + now + ")",
            "Renew the certificate and deploy it to " + e.id() + "; certkeeper alerts again at the next threshold"
                + " unless the endpoint serves a renewed certificate.", chain),
        e.owners(), false);
  }

  private static AlertEvent trouble(EndpointConfig e, String subject, EndpointState st, EndpointPolicy.Planned p,
      List<String> chain) {
    String title;
    String what;
    String action;
    switch (p.kind()) {
      case FAILING:
        title = e.id() + " failing: " + st.consecutiveFailures() + " probes in a row failed";
        what = "The last " + st.consecutiveFailures() + " probes of " + e.id() + " obtained no certificate: "
            + st.message();
        action = "Check that the service runs and is reachable from this host (DNS, firewall, TLS configuration).";
        break;
      case RESOLVED:
        title = e.id() + " resolved: healthy again";
        what = e.id() + " was probed without problems; the earlier alerts about it are resolved.";
        action = "Nothing to do.";
        break;
      default:
        title = e.id() + " new problem: " + String.join(", ", p.codes());
        what = "The probe of " + e.id() + " found " + String.join(", ", p.codes()) + ": " + st.message();
        action = "Fix the served certificate chain or the server's TLS configuration; run "
            + "'certkeeper endpoint history " + e.id() + "' for the probe results.";
    }
    return new AlertEvent(subject, p.kind(), p.detail(), Optional.empty(), p.severity(), title,
        new AlertFacts(what, where(e), "probed at " + st.lastProbeAt(), action, chain), e.owners(), false);
  }

  private static AlertEvent changed(EndpointConfig e, String subject, long changeId, Instant detected, String oldSha,
      String newSha, List<String> chain) {
    return new AlertEvent(subject, AlertKind.CHANGED, Long.toString(changeId), Optional.of(newSha), Severity.WARNING,
        e.id() + " certificate changed unexpectedly",
        new AlertFacts("The certificate served by " + e.id() + " changed from " + (oldSha == null ? "none" : oldSha)
            + " to " + newSha + ", and certkeeper did not issue the new one.", where(e), "detected at " + detected,
            "Check that the change was intended (a renewal by another tool, a new deployment); if not, find who"
                + " changed the server's certificate.", chain),
        e.owners(), false);
  }

  private static String where(EndpointConfig e) {
    return "endpoint " + e.id() + e.group().map(g -> " (group " + g + ")").orElse("");
  }

  private static Optional<EndpointPolicy.Memory> memory(Transaction tx, String id) throws StoreException {
    return tx.alertState().find(id).map(m -> new EndpointPolicy.Memory(m.episode(),
        new TreeSet<>(m.alertedProblems()), m.failingAlerted(), m.lastChangeId()));
  }

  private static void saveMemory(Transaction tx, String id, EndpointPolicy.Memory m, boolean exists, Instant now)
      throws StoreException {
    EndpointAlertState s = new EndpointAlertState(id, m.episode(), new ArrayList<>(new TreeSet<>(m.alertedProblems())),
        m.failingAlerted(), m.lastChangeId());
    if (exists) {
      tx.alertState().update(s, now);
    } else {
      tx.alertState().insert(s, now);
    }
  }

  private static boolean issuedHere(Transaction tx, String sha256) throws StoreException {
    return tx.certificates().brief(sha256).filter(b -> b.source() == CertificateRecord.Source.ISSUED).isPresent();
  }

  /** One line per certificate of a probe's chain, leaf first: subject, issuer, expiry, fingerprint. */
  private static List<String> chain(Transaction tx, long resultId) throws StoreException {
    List<String> shas = tx.probes().chainOf(resultId);
    Map<String, CertificateBrief> known = tx.certificates().briefs(shas);
    List<String> out = new ArrayList<>();
    for (String sha : shas) {
      CertificateBrief b = known.get(sha);
      out.add(b == null ? "sha256 " + sha
          : b.subject() + " | issuer " + b.issuer() + " | not after " + b.notAfter() + " | sha256 " + sha);
    }
    return out;
  }

  /** Renewal and other callers of {@link AlertOutbox} share the routing of this evaluator. */
  public AlertOutbox outbox() {
    return outbox;
  }
}
