package io.certkeeper.alert;

import io.certkeeper.util.Printable;
import io.certkeeper.store.Jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.certkeeper.config.AlertsConfig;
import io.certkeeper.config.EndpointCodec;
import io.certkeeper.config.EndpointConfig;
import io.certkeeper.store.EndpointRepository;
import io.certkeeper.store.EndpointRow;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import io.certkeeper.util.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the store's view of each endpoint (latest probe state, last leaf, change events) into alert
 * events. One transaction per endpoint reads its state, decides with the pure policies, writes the
 * events through the {@link AlertOutbox} and records what was alerted, so that a crash at any point
 * leaves either both or neither. Works whoever writes the probe tables.
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
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

  private final Store store;
  private final Supplier<AlertsConfig> config;
  private final AlertOutbox outbox;
  private final Clock clock;
  private final ManagedRenewals managed;

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

  /** What one evaluation wrote: events mailed and events only recorded as passed. */
  public record Result(int alerted, int suppressed) {}

  /** Evaluates every endpoint once; an endpoint that fails is logged and skipped. */
  public Result evaluate() throws StoreException {
    AlertsConfig cfg = config.get();
    int alerted = 0;
    int suppressed = 0;
    for (EndpointRow row : new EndpointRepository(store).list()) {
      EndpointConfig endpoint;
      try {
        endpoint = EndpointCodec.fromJson(row.specJson());
      } catch (IllegalArgumentException e) {
        log.warn("{} - not evaluated for alerts: {}", row.id(), e.getMessage());
        continue;
      }
      try {
        List<AlertEvent> written = store.inTransaction(c -> evaluate(c, endpoint, cfg));
        for (AlertEvent e : written) {
          if (e.suppressed()) {
            suppressed++;
          } else {
            alerted++;
            log.info("{} - alert {} {}: {}", row.id(), e.severity().code(), e.kind().code(), Printable.line(e.title()));
          }
        }
      } catch (StoreException e) {
        log.warn("{} - alert evaluation failed: {}", row.id(), e.getMessage());
      }
    }
    List<ManagedRenewal> inForce;
    try {
      inForce = store.inTransaction(managed::current);
    } catch (StoreException e) {
      log.warn("managed certificates - alert evaluation failed: {}", e.getMessage());
      inForce = List.of();
    }
    Instant now = clock.instant();
    for (ManagedRenewal m : inForce) {
      if (!m.overdue(now)) {
        continue;
      }
      try {
        if (store.inTransaction(c -> outbox.enqueue(c, AlertEvent.renewalOverdue(m, Optional.empty())))) {
          alerted++;
          log.info("{} - alert warning {}: renewal overdue since {}", m.name(), AlertKind.RENEWAL_OVERDUE.code(),
              m.overdueAt());
        }
      } catch (StoreException e) {
        log.warn("{} - alert evaluation failed: {}", m.name(), e.getMessage());
      }
    }
    return new Result(alerted, suppressed);
  }

  private record State(Instant lastProbeAt, long lastResultId, String status, List<String> problems, String message,
      Optional<String> leaf, Optional<Instant> leafNotAfter, int failures) {}

  private List<AlertEvent> evaluate(Connection c, EndpointConfig e, AlertsConfig cfg) throws SQLException {
    Optional<State> found = state(c, e.id());
    if (found.isEmpty()) {
      return List.of();
    }
    State st = found.get();
    Instant now = clock.instant();
    String subject = "endpoint:" + e.id();
    Optional<EndpointPolicy.Memory> stored = memory(c, e.id());
    EndpointPolicy.Memory memory = stored.orElse(EndpointPolicy.Memory.fresh(0));
    List<AlertEvent> events = new ArrayList<>();
    List<String> chain = chain(c, st.lastResultId());

    if (st.leaf().isPresent() && st.leafNotAfter().isPresent()) {
      String leaf = st.leaf().get();
      Instant notAfter = st.leafNotAfter().get();
      Optional<ManagedRenewal> renewal = managed.find(c, leaf);
      List<Duration> thresholds = new ArrayList<>();
      for (Duration t : cfg.thresholds()) {
        // a managed certificate: only the thresholds that come after its renewal is overdue
        boolean afterOverdue = renewal.map(m -> notAfter.minus(t).isAfter(m.overdueAt())).orElse(true);
        if (t.compareTo(e.warning()) <= 0 && afterOverdue) {
          thresholds.add(t);
        }
      }
      if (renewal.isPresent() && renewal.get().overdue(now) && st.failures() == 0) {
        events.add(AlertEvent.renewalOverdue(renewal.get(), Optional.of(e.id())));
      }
      ExpiryPolicy.Decision d = ExpiryPolicy.decide(notAfter, now, thresholds,
          AlertOutbox.recorded(c, subject, AlertKind.EXPIRY, leaf));
      for (String label : d.fire().map(List::of).orElse(List.of())) {
        events.add(expiry(e, subject, leaf, notAfter, label, now, chain));
      }
      for (String label : d.suppress()) {
        events.add(expiry(e, subject, leaf, notAfter, label, now, chain).asSuppressed());
      }
    }

    EndpointPolicy.Outcome o = EndpointPolicy.decide(memory, st.problems(), st.failures(), cfg.failingAfter());
    o.alert().ifPresent(p -> events.add(trouble(e, subject, st, p, chain)));
    EndpointPolicy.Memory next = o.next();

    long lastChange = next.lastChangeId();
    Instant since = stored.isPresent() ? Instant.EPOCH : now.minus(FIRST_LOOK_BACK);
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT id, detected_at, old_sha256, new_sha256 FROM endpoint_changes WHERE endpoint_id = ? AND id > ?"
            + " ORDER BY id")) {
      ps.setString(1, e.id());
      ps.setLong(2, lastChange);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long id = rs.getLong("id");
          lastChange = Math.max(lastChange, id);
          Instant detected = Jdbc.getInstant(rs, "detected_at");
          String newSha = rs.getString("new_sha256");
          if (detected.isBefore(since) || issuedHere(c, newSha)) {
            continue;
          }
          events.add(changed(e, subject, id, detected, rs.getString("old_sha256"), newSha, chain));
        }
      }
    }
    next = new EndpointPolicy.Memory(next.episode(), next.alertedProblems(), next.failingAlerted(), lastChange);

    List<AlertEvent> written = new ArrayList<>();
    for (AlertEvent ev : events) {
      if (outbox.enqueue(c, ev)) {
        written.add(ev);
      }
    }
    if (stored.isEmpty() || !stored.get().equals(next)) {
      saveMemory(c, e.id(), next, stored.isPresent(), now);
    }
    return written;
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

  private static AlertEvent trouble(EndpointConfig e, String subject, State st, EndpointPolicy.Planned p,
      List<String> chain) {
    String title;
    String what;
    String action;
    switch (p.kind()) {
      case FAILING:
        title = e.id() + " failing: " + st.failures() + " probes in a row failed";
        what = "The last " + st.failures() + " probes of " + e.id() + " obtained no certificate: " + st.message();
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

  private static Optional<State> state(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT * FROM endpoint_state WHERE endpoint_id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(new State(Jdbc.getInstant(rs, "last_probe_at"), rs.getLong("last_result_id"),
            rs.getString("status"), strings(rs.getString("problems")), rs.getString("message"),
            Optional.ofNullable(rs.getString("leaf_sha256")),
            Optional.ofNullable(Jdbc.getInstant(rs, "leaf_not_after")), rs.getInt("consecutive_failures")));
      }
    }
  }

  private static Optional<EndpointPolicy.Memory> memory(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT * FROM alert_endpoint_state WHERE endpoint_id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(new EndpointPolicy.Memory(rs.getInt("episode"),
            new TreeSet<>(strings(rs.getString("alerted_problems"))), rs.getBoolean("failing_alerted"),
            rs.getLong("last_change_id")));
      }
    }
  }

  private static void saveMemory(Connection c, String id, EndpointPolicy.Memory m, boolean exists, Instant now)
      throws SQLException {
    String sql = exists
        ? "UPDATE alert_endpoint_state SET episode = ?, alerted_problems = ?, failing_alerted = ?, last_change_id = ?,"
            + " updated_at = ? WHERE endpoint_id = ?"
        : "INSERT INTO alert_endpoint_state (episode, alerted_problems, failing_alerted, last_change_id, updated_at,"
            + " endpoint_id) VALUES (?, ?, ?, ?, ?, ?)";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(1, m.episode());
      ps.setString(2, json(new ArrayList<>(new TreeSet<>(m.alertedProblems()))));
      ps.setBoolean(3, m.failingAlerted());
      ps.setLong(4, m.lastChangeId());
      Jdbc.setInstant(ps, 5, now);
      ps.setString(6, id);
      ps.executeUpdate();
    }
  }

  private static boolean issuedHere(Connection c, String sha256) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT source FROM certificates WHERE sha256 = ?")) {
      ps.setString(1, sha256);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && "issued".equals(rs.getString(1));
      }
    }
  }

  /** One line per certificate of the last probe's chain, leaf first: subject, issuer, expiry, fingerprint. */
  private static List<String> chain(Connection c, long resultId) throws SQLException {
    List<String> shas = List.of();
    try (PreparedStatement ps = c.prepareStatement("SELECT chain FROM probe_results WHERE id = ?")) {
      ps.setLong(1, resultId);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          shas = strings(rs.getString(1));
        }
      }
    }
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT subject, issuer, not_after FROM certificates WHERE sha256 = ?")) {
      for (String sha : shas) {
        ps.setString(1, sha);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            out.add(rs.getString("subject") + " | issuer " + rs.getString("issuer") + " | not after "
                + Jdbc.getInstant(rs, "not_after") + " | sha256 " + sha);
          } else {
            out.add("sha256 " + sha);
          }
        }
      }
    }
    return out;
  }

  private static List<String> strings(String json) throws SQLException {
    try {
      return Json.mapper().readValue(json, STRINGS);
    } catch (JsonProcessingException e) {
      throw new SQLException("corrupt JSON column: " + e.getOriginalMessage(), e);
    }
  }

  private static String json(List<String> values) {
    try {
      return Json.mapper().writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  /** Renewal and other callers of {@link AlertOutbox} share the routing of this evaluator. */
  public AlertOutbox outbox() {
    return outbox;
  }
}
