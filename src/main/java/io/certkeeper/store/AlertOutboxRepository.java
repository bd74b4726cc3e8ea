package io.certkeeper.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code alert_events} and {@code alert_deliveries} tables: the outbox. Each event is stored
 * once (by its key) with one delivery per recipient, written in the transaction of the state change
 * that caused it; a sender claims due deliveries with a lease, then marks them sent, deferred,
 * failed or released. A delivery claimed by a sender that died is claimable again once its lease
 * has run out. The same rows are the ledger {@code certkeeper alerts} and {@code status} show.
 */
public final class AlertOutboxRepository {
  /** Delivery errors are cut to this many characters (the column's width). */
  static final int MAX_ERROR = 2000;
  /** Event titles are cut to this many characters (the column's width). */
  static final int MAX_TITLE = 1000;

  private static final String DUE =
      "((status = 'pending' AND next_attempt_at <= ?) OR (status = 'sending' AND claimed_at < ?))";

  private final Scope scope;

  public AlertOutboxRepository(Store store) {
    this(Scope.perCall(store));
  }

  AlertOutboxRepository(Scope scope) {
    this.scope = Objects.requireNonNull(scope, "scope");
  }

  /**
   * Records {@code event}, created at {@code now}, and its {@code deliveries} (none for a suppressed
   * event), unless an event with the same key exists.
   *
   * @return true when the event was new
   */
  public boolean add(OutboxEvent event, List<OutboxDelivery> deliveries, Instant now) throws StoreException {
    return scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT id FROM alert_events WHERE dedup_key = ?")) {
        ps.setString(1, event.dedupKey());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return false;
          }
        }
      }
      long eventId;
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO alert_events (dedup_key, subject, kind, detail, fingerprint, severity, title, body, suppressed,"
              + " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
        ps.setString(1, event.dedupKey());
        ps.setString(2, event.subject());
        ps.setString(3, event.kind());
        ps.setString(4, event.detail());
        ps.setString(5, event.fingerprint().orElse(null));
        ps.setString(6, event.severity());
        ps.setString(7, Jdbc.truncate(event.title(), MAX_TITLE));
        ps.setString(8, event.body());
        ps.setBoolean(9, event.suppressed());
        Jdbc.setInstant(ps, 10, now);
        ps.executeUpdate();
        try (ResultSet keys = ps.getGeneratedKeys()) {
          keys.next();
          eventId = keys.getLong(1);
        }
      }
      if (event.suppressed() || deliveries.isEmpty()) {
        return true;
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO alert_deliveries (event_id, recipient, digest, status, attempts, next_attempt_at, created_at)"
              + " VALUES (?, ?, ?, 'pending', 0, ?, ?)")) {
        for (OutboxDelivery d : deliveries) {
          ps.setLong(1, eventId);
          ps.setString(2, d.recipient());
          ps.setString(3, d.digest());
          Jdbc.setInstant(ps, 4, d.dueAt());
          Jdbc.setInstant(ps, 5, now);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return true;
    });
  }

  /** The details of the events recorded (mailed or suppressed) for {@code subject}'s certificate {@code fingerprint}. */
  public Set<String> details(String subject, String kind, String fingerprint) throws StoreException {
    return scope.run(c -> {
      Set<String> out = new HashSet<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT detail FROM alert_events WHERE subject = ? AND kind = ? AND fingerprint = ?")) {
        ps.setString(1, subject);
        ps.setString(2, kind);
        ps.setString(3, fingerprint);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      }
      return out;
    });
  }

  /** Counts for {@code status}: pending includes deliveries being sent right now. */
  public record Summary(long pending, long sent, long failed, Optional<String> lastError,
      Optional<Instant> lastErrorAt) {}

  public Summary summary() throws StoreException {
    return scope.run(c -> {
      long pending = 0;
      long sent = 0;
      long failed = 0;
      try (PreparedStatement ps = c.prepareStatement("SELECT status, COUNT(*) FROM alert_deliveries GROUP BY status");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          switch (rs.getString(1)) {
            case "sent": sent += rs.getLong(2); break;
            case "failed": failed += rs.getLong(2); break;
            default: pending += rs.getLong(2);
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT last_error, last_error_at FROM alert_deliveries"
          + " WHERE last_error IS NOT NULL ORDER BY last_error_at DESC, id DESC")) {
        ps.setMaxRows(1);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return new Summary(pending, sent, failed, Optional.of(rs.getString(1)),
                Optional.ofNullable(Jdbc.getInstant(rs, "last_error_at")));
          }
        }
      }
      return new Summary(pending, sent, failed, Optional.empty(), Optional.empty());
    });
  }

  /**
   * Deliveries with their events, newest first.
   *
   * @param statuses only deliveries in one of these statuses; all when empty
   */
  public List<LedgerEntry> list(List<String> statuses, int limit) throws StoreException {
    StringBuilder sql = new StringBuilder("SELECT d.*, e.subject, e.kind, e.detail, e.severity, e.title"
        + " FROM alert_deliveries d JOIN alert_events e ON e.id = d.event_id");
    if (!statuses.isEmpty()) {
      sql.append(" WHERE d.status IN (").append("?, ".repeat(statuses.size() - 1)).append("?)");
    }
    sql.append(" ORDER BY d.id DESC");
    return scope.run(c -> {
      List<LedgerEntry> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        for (int i = 0; i < statuses.size(); i++) {
          ps.setString(i + 1, statuses.get(i));
        }
        ps.setMaxRows(limit);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new LedgerEntry(rs.getLong("id"), rs.getLong("event_id"), rs.getString("subject"),
                rs.getString("kind"), rs.getString("detail"), rs.getString("severity"), rs.getString("title"),
                rs.getString("recipient"), rs.getString("digest"), rs.getString("status"), rs.getInt("attempts"),
                Jdbc.getInstant(rs, "created_at"), Jdbc.getInstant(rs, "next_attempt_at"),
                Jdbc.getInstant(rs, "sent_at"), rs.getString("message_id"), rs.getString("last_error"),
                Jdbc.getInstant(rs, "last_error_at"), rs.getString("claimed_by")));
          }
        }
      }
      return out;
    });
  }

  /** Puts failed deliveries back in the queue, due at {@code now}; returns how many. */
  public int retryFailed(Instant now) throws StoreException {
    return scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE alert_deliveries SET status = 'pending',"
          + " next_attempt_at = ?, claimed_by = NULL WHERE status = 'failed'")) {
        Jdbc.setInstant(ps, 1, now);
        return ps.executeUpdate();
      }
    });
  }

  /**
   * Claims up to {@code limit} due deliveries for {@code claimer}, oldest first: pending ones whose
   * time has come, and ones claimed before {@code leaseExpired} (by a sender that died or hung).
   * Each row is claimed by a conditional update, so two senders never hold the same row.
   */
  public List<ClaimedDelivery> claim(String claimer, Instant now, Instant leaseExpired, int limit)
      throws StoreException {
    return scope.run(c -> {
      List<Long> candidates = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id FROM alert_deliveries WHERE " + DUE + " ORDER BY id")) {
        Jdbc.setInstant(ps, 1, now);
        Jdbc.setInstant(ps, 2, leaseExpired);
        ps.setMaxRows(limit);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            candidates.add(rs.getLong(1));
          }
        }
      }
      List<ClaimedDelivery> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("UPDATE alert_deliveries SET status = 'sending', claimed_by = ?,"
          + " claimed_at = ? WHERE id = ? AND " + DUE);
          PreparedStatement load = c.prepareStatement("SELECT d.id, d.event_id, d.recipient, d.digest, d.attempts,"
              + " d.created_at, e.subject, e.kind, e.detail, e.severity, e.title, e.body FROM alert_deliveries d"
              + " JOIN alert_events e ON e.id = d.event_id WHERE d.id = ?")) {
        for (long id : candidates) {
          ps.setString(1, claimer);
          Jdbc.setInstant(ps, 2, now);
          ps.setLong(3, id);
          Jdbc.setInstant(ps, 4, now);
          Jdbc.setInstant(ps, 5, leaseExpired);
          if (ps.executeUpdate() == 1) {
            load.setLong(1, id);
            try (ResultSet rs = load.executeQuery()) {
              rs.next();
              out.add(new ClaimedDelivery(rs.getLong("id"), rs.getLong("event_id"), rs.getString("recipient"),
                  rs.getString("digest"), rs.getInt("attempts"), Jdbc.getInstant(rs, "created_at"),
                  rs.getString("subject"), rs.getString("kind"), rs.getString("detail"), rs.getString("severity"),
                  rs.getString("title"), rs.getString("body")));
            }
          }
        }
      }
      return out;
    });
  }

  /**
   * The server accepted the mail of these deliveries, sent by {@code claimer}: record it with its
   * Message-ID and who sent it.
   */
  public void markSent(String claimer, List<Long> ids, String messageId, Instant now) throws StoreException {
    scope.run(c -> {
      List<Long> changed = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("UPDATE alert_deliveries SET status = 'sent', message_id = ?,"
          + " sent_at = ?, attempts = attempts + 1, claimed_by = ? WHERE id = ? AND status <> 'sent'")) {
        for (long id : ids) {
          ps.setString(1, messageId);
          Jdbc.setInstant(ps, 2, now);
          ps.setString(3, claimer);
          ps.setLong(4, id);
          if (ps.executeUpdate() == 1) {
            changed.add(id);
          }
        }
      }
      EventCounts.deliveries(c, changed, "sent");
      return null;
    });
  }

  /**
   * Renews {@code claimer}'s lease on these deliveries, just before it sends them.
   *
   * @return how many it still held; fewer than {@code ids} when its lease ran out and another
   *     sender took some over
   */
  public int renew(String claimer, List<Long> ids, Instant now) throws StoreException {
    return scope.run(c -> {
      int held = 0;
      try (PreparedStatement ps = c.prepareStatement("UPDATE alert_deliveries SET claimed_at = ? WHERE id = ?"
          + " AND status = 'sending' AND claimed_by = ?")) {
        for (long id : ids) {
          Jdbc.setInstant(ps, 1, now);
          ps.setLong(2, id);
          ps.setString(3, claimer);
          held += ps.executeUpdate();
        }
      }
      return held;
    });
  }

  /** When a delivery that failed for now is tried again, and how many attempts it has had then. */
  public record Retry(long id, int attempts, Instant nextAttemptAt) {}

  /**
   * A temporary failure: the deliveries {@code claimer} holds go back to pending, each due at its
   * {@link Retry#nextAttemptAt}. One another sender took over (this one's lease ran out) is left to it.
   */
  public void defer(String claimer, List<Retry> retries, String error, Instant now) throws StoreException {
    scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE alert_deliveries SET status = 'pending',"
          + " attempts = ?, next_attempt_at = ?, last_error = ?, last_error_at = ?, claimed_by = NULL WHERE id = ?"
          + " AND status = 'sending' AND claimed_by = ?")) {
        List<Long> changed = new ArrayList<>();
        for (Retry r : retries) {
          ps.setInt(1, r.attempts());
          Jdbc.setInstant(ps, 2, r.nextAttemptAt());
          ps.setString(3, Jdbc.truncate(error, MAX_ERROR));
          Jdbc.setInstant(ps, 4, now);
          ps.setLong(5, r.id());
          ps.setString(6, claimer);
          if (ps.executeUpdate() == 1) {
            changed.add(r.id());
          }
        }
        EventCounts.deliveries(c, changed, "retry");
      }
      return null;
    });
  }

  /**
   * A permanent failure: the deliveries {@code claimer} holds are not tried again (unless
   * {@link #retryFailed}).
   */
  public void fail(String claimer, List<Long> ids, String error, Instant now) throws StoreException {
    scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE alert_deliveries SET status = 'failed',"
          + " attempts = attempts + 1, last_error = ?, last_error_at = ?, claimed_by = NULL WHERE id = ?"
          + " AND status = 'sending' AND claimed_by = ?")) {
        List<Long> changed = new ArrayList<>();
        for (long id : ids) {
          ps.setString(1, Jdbc.truncate(error, MAX_ERROR));
          Jdbc.setInstant(ps, 2, now);
          ps.setLong(3, id);
          ps.setString(4, claimer);
          if (ps.executeUpdate() == 1) {
            changed.add(id);
          }
        }
        EventCounts.deliveries(c, changed, "failed");
      }
      return null;
    });
  }

  /**
   * Gives the deliveries {@code claimer} holds back untouched (the sender stopped or paused before
   * trying them).
   */
  public void release(String claimer, List<Long> ids) throws StoreException {
    scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE alert_deliveries SET status = 'pending', claimed_by = NULL"
          + " WHERE id = ? AND status = 'sending' AND claimed_by = ?")) {
        for (long id : ids) {
          ps.setLong(1, id);
          ps.setString(2, claimer);
          ps.executeUpdate();
        }
      }
      return null;
    });
  }

  /** The Message-ID of the first mail (not a digest) sent to {@code recipient} about {@code subject}. */
  public Optional<String> threadRoot(String subject, String recipient) throws StoreException {
    return scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT d.message_id FROM alert_deliveries d"
          + " JOIN alert_events e ON e.id = d.event_id WHERE e.subject = ? AND d.recipient = ? AND d.status = 'sent'"
          + " AND d.digest = 'none' AND d.message_id IS NOT NULL ORDER BY d.sent_at, d.id")) {
        ps.setString(1, subject);
        ps.setString(2, recipient);
        ps.setMaxRows(1);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
      }
    });
  }
}
