package io.certkeeper.alert;

import io.certkeeper.store.Jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.certkeeper.config.AlertsConfig;
import io.certkeeper.util.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Writes alert events and their deliveries, inside the caller's transaction, so that an alert
 * exists if and only if the state change that caused it was committed. An event whose key exists
 * already is not written again: that is what makes every alert fire once.
 *
 * <p>For the renewal code: {@code outbox.enqueue(connection, AlertEvent.renewalFailed(...))} in the
 * same transaction that records the failed attempt.
 */
public final class AlertOutbox {
  private final Supplier<AlertsConfig> config;
  private final Clock clock;

  private AlertOutbox(Supplier<AlertsConfig> config, Clock clock) {
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** An outbox routing by {@code config} (read at each enqueue, so reloads apply). */
  public static AlertOutbox create(Supplier<AlertsConfig> config, Clock clock) {
    return new AlertOutbox(config, clock);
  }

  /**
   * Records {@code event} and one pending delivery per recipient, unless an event with the same key
   * exists. Does not commit: the caller's transaction does.
   *
   * @return true when the event was new
   */
  public boolean enqueue(Connection c, AlertEvent event) throws SQLException {
    String key = event.dedupKey();
    try (PreparedStatement ps = c.prepareStatement("SELECT id FROM alert_events WHERE dedup_key = ?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return false;
        }
      }
    }
    Instant now = clock.instant();
    long eventId;
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO alert_events (dedup_key, subject, kind, detail, fingerprint, severity, title, body, suppressed,"
            + " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
      ps.setString(1, key);
      ps.setString(2, event.subject());
      ps.setString(3, event.kind().code());
      ps.setString(4, event.detail());
      ps.setString(5, event.fingerprint().orElse(null));
      ps.setString(6, event.severity().code());
      ps.setString(7, Jdbc.truncate(event.title(), 1000));
      ps.setString(8, toJson(event.facts()));
      ps.setBoolean(9, event.suppressed());
      Jdbc.setInstant(ps, 10, now);
      ps.executeUpdate();
      try (ResultSet keys = ps.getGeneratedKeys()) {
        keys.next();
        eventId = keys.getLong(1);
      }
    }
    if (event.suppressed()) {
      return true;
    }
    List<Routing.Recipient> recipients = Routing.recipients(event.owners(), event.severity(), config.get());
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO alert_deliveries (event_id, recipient, digest, status, attempts, next_attempt_at, created_at)"
            + " VALUES (?, ?, ?, 'pending', 0, ?, ?)")) {
      for (Routing.Recipient r : recipients) {
        ps.setLong(1, eventId);
        ps.setString(2, r.address());
        ps.setString(3, r.digest().code());
        Jdbc.setInstant(ps, 4, DigestWindow.due(r.digest(), now));
        Jdbc.setInstant(ps, 5, now);
        ps.addBatch();
      }
      if (!recipients.isEmpty()) {
        ps.executeBatch();
      }
    }
    return true;
  }

  /** The details already recorded (mailed or suppressed) for {@code subject}'s certificate {@code fingerprint}. */
  static Set<String> recorded(Connection c, String subject, AlertKind kind, String fingerprint) throws SQLException {
    Set<String> out = new HashSet<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT detail FROM alert_events WHERE subject = ? AND kind = ? AND fingerprint = ?")) {
      ps.setString(1, subject);
      ps.setString(2, kind.code());
      ps.setString(3, fingerprint);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  static String toJson(AlertFacts facts) {
    try {
      return Json.mapper().writeValueAsString(facts);
    } catch (JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  static AlertFacts factsFromJson(String json) throws SQLException {
    try {
      return Json.mapper().readValue(json, AlertFacts.class);
    } catch (JsonProcessingException e) {
      throw new SQLException("corrupt alert body: " + e.getOriginalMessage(), e);
    }
  }
}
