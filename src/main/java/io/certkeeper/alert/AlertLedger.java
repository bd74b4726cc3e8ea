package io.certkeeper.alert;

import io.certkeeper.store.Jdbc;

import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The deliveries table read and moved along: claimed with a lease, then sent, deferred, failed or
 * released. A delivery claimed by a sender that died is claimable again once its lease has run
 * out; that is where the one possible duplicate comes from (the server accepted the mail but the
 * sender died before marking it sent).
 */
public final class AlertLedger {
  private final Store store;

  public AlertLedger(Store store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** Counts for {@code status}: pending includes deliveries being sent right now. */
  public record Summary(long pending, long sent, long failed, Optional<String> lastError,
      Optional<Instant> lastErrorAt) {}

  public Summary summary() throws StoreException {
    return store.inTransaction(c -> {
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
   * Deliveries, newest first.
   *
   * @param statuses only these ({@code pending} includes {@code sending}); all when empty
   */
  public List<LedgerEntry> list(List<String> statuses, int limit) throws StoreException {
    List<String> wanted = new ArrayList<>(statuses);
    if (wanted.contains("pending")) {
      wanted.add("sending");
    }
    StringBuilder sql = new StringBuilder("SELECT d.*, e.subject, e.kind, e.detail, e.severity, e.title"
        + " FROM alert_deliveries d JOIN alert_events e ON e.id = d.event_id");
    if (!wanted.isEmpty()) {
      sql.append(" WHERE d.status IN (").append("?, ".repeat(wanted.size() - 1)).append("?)");
    }
    sql.append(" ORDER BY d.id DESC");
    return store.inTransaction(c -> {
      List<LedgerEntry> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        for (int i = 0; i < wanted.size(); i++) {
          ps.setString(i + 1, wanted.get(i));
        }
        ps.setMaxRows(limit);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new LedgerEntry(rs.getLong("id"), rs.getLong("event_id"), rs.getString("subject"),
                rs.getString("kind"), rs.getString("detail"), rs.getString("severity"), rs.getString("title"),
                rs.getString("recipient"), rs.getString("digest"), rs.getString("status"), rs.getInt("attempts"),
                Jdbc.getInstant(rs, "created_at"), Jdbc.getInstant(rs, "next_attempt_at"), Jdbc.getInstant(rs, "sent_at"),
                rs.getString("message_id"), rs.getString("last_error"), Jdbc.getInstant(rs, "last_error_at")));
          }
        }
      }
      return out;
    });
  }

  /** Puts failed deliveries back in the queue, due now; returns how many. */
  public int retryFailed(Instant now) throws StoreException {
    return store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE alert_deliveries SET status = 'pending',"
          + " next_attempt_at = ?, claimed_by = NULL WHERE status = 'failed'")) {
        Jdbc.setInstant(ps, 1, now);
        return ps.executeUpdate();
      }
    });
  }

  private static final String DUE = "((status = 'pending' AND next_attempt_at <= ?) OR (status = 'sending' AND claimed_at < ?))";

  /**
   * Claims up to {@code limit} due deliveries for {@code claimer}: pending ones whose time has come,
   * and ones claimed by a sender whose lease ran out. Each row is claimed by a conditional update,
   * so two senders never hold the same row.
   */
  List<Delivery> claim(String claimer, Instant now, Duration lease, int limit) throws StoreException {
    Instant expired = now.minus(lease);
    return store.inTransaction(c -> {
      List<Long> candidates = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id FROM alert_deliveries WHERE " + DUE + " ORDER BY id")) {
        Jdbc.setInstant(ps, 1, now);
        Jdbc.setInstant(ps, 2, expired);
        ps.setMaxRows(limit);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            candidates.add(rs.getLong(1));
          }
        }
      }
      List<Delivery> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("UPDATE alert_deliveries SET status = 'sending', claimed_by = ?,"
          + " claimed_at = ? WHERE id = ? AND " + DUE)) {
        for (long id : candidates) {
          ps.setString(1, claimer);
          Jdbc.setInstant(ps, 2, now);
          ps.setLong(3, id);
          Jdbc.setInstant(ps, 4, now);
          Jdbc.setInstant(ps, 5, expired);
          if (ps.executeUpdate() == 1) {
            out.add(load(c, id));
          }
        }
      }
      return out;
    });
  }

  private static Delivery load(Connection c, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT d.id, d.event_id, d.recipient, d.digest, d.attempts,"
        + " d.created_at, e.subject, e.kind, e.detail, e.severity, e.title, e.body FROM alert_deliveries d"
        + " JOIN alert_events e ON e.id = d.event_id WHERE d.id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Delivery(rs.getLong("id"), rs.getLong("event_id"), rs.getString("recipient"),
            rs.getString("digest"), rs.getInt("attempts"), rs.getString("subject"), AlertKind.ofCode(rs.getString("kind")),
            rs.getString("detail"), Severity.ofCode(rs.getString("severity")), rs.getString("title"),
            AlertOutbox.factsFromJson(rs.getString("body")), Jdbc.getInstant(rs, "created_at"));
      }
    }
  }

  /** The server accepted the mail: record it with its Message-ID. */
  void markSent(List<Long> ids, String messageId, Instant now) throws StoreException {
    store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE alert_deliveries SET status = 'sent', message_id = ?,"
          + " sent_at = ?, attempts = attempts + 1, claimed_by = NULL WHERE id = ? AND status <> 'sent'")) {
        for (long id : ids) {
          ps.setString(1, messageId);
          Jdbc.setInstant(ps, 2, now);
          ps.setLong(3, id);
          ps.executeUpdate();
        }
      }
      return null;
    });
  }

  /** A temporary failure: back to pending, due after the backoff for its attempt count. */
  void defer(List<Delivery> deliveries, String error, Instant now) throws StoreException {
    store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE alert_deliveries SET status = 'pending',"
          + " attempts = ?, next_attempt_at = ?, last_error = ?, last_error_at = ?, claimed_by = NULL WHERE id = ?")) {
        for (Delivery d : deliveries) {
          int attempts = d.attempts() + 1;
          ps.setInt(1, attempts);
          Jdbc.setInstant(ps, 2, now.plus(DeliveryBackoff.delay(attempts)));
          ps.setString(3, Jdbc.truncate(error, 2000));
          Jdbc.setInstant(ps, 4, now);
          ps.setLong(5, d.id());
          ps.executeUpdate();
        }
      }
      return null;
    });
  }

  /** A permanent failure: never retried (unless {@link #retryFailed}). */
  void fail(List<Delivery> deliveries, String error, Instant now) throws StoreException {
    store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE alert_deliveries SET status = 'failed',"
          + " attempts = attempts + 1, last_error = ?, last_error_at = ?, claimed_by = NULL WHERE id = ?")) {
        for (Delivery d : deliveries) {
          ps.setString(1, Jdbc.truncate(error, 2000));
          Jdbc.setInstant(ps, 2, now);
          ps.setLong(3, d.id());
          ps.executeUpdate();
        }
      }
      return null;
    });
  }

  /** Gives claimed deliveries back untouched (the sender stopped or paused before trying them). */
  void release(List<Delivery> deliveries) throws StoreException {
    store.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE alert_deliveries SET status = 'pending', claimed_by = NULL WHERE id = ? AND status = 'sending'")) {
        for (Delivery d : deliveries) {
          ps.setLong(1, d.id());
          ps.executeUpdate();
        }
      }
      return null;
    });
  }

  /** The first mail sent to {@code recipient} about {@code subject}: the root its follow-ups thread under. */
  Optional<String> threadRoot(String subject, String recipient) throws StoreException {
    return store.inTransaction(c -> {
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
