package io.certkeeper.alert;

import io.certkeeper.store.AlertOutboxRepository;
import io.certkeeper.store.ClaimedDelivery;
import io.certkeeper.store.LedgerEntry;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The deliveries read and moved along: claimed with a lease, then sent, deferred (with
 * {@link DeliveryBackoff}), failed or released. A delivery claimed by a sender that died is claimable again
 * once its lease has run out; that is where the one possible duplicate comes from (the server
 * accepted the mail but the sender died before marking it sent). The rows are the store's
 * ({@link AlertOutboxRepository}).
 */
public final class AlertLedger {
  private final Store store;
  private final AlertOutboxRepository outbox;

  public AlertLedger(Store store) {
    this.store = Objects.requireNonNull(store, "store");
    this.outbox = new AlertOutboxRepository(store);
  }

  /** Counts for {@code status}: pending includes deliveries being sent right now. */
  public AlertOutboxRepository.Summary summary() throws StoreException {
    return outbox.summary();
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
    return outbox.list(wanted, limit);
  }

  /** Puts failed deliveries back in the queue, due now; returns how many. */
  public int retryFailed(Instant now) throws StoreException {
    return outbox.retryFailed(now);
  }

  /**
   * Claims up to {@code limit} due deliveries for {@code claimer}: pending ones whose time has come,
   * and ones claimed by a sender whose lease ran out. Each row is claimed by a conditional update,
   * so two senders never hold the same row. A delivery that cannot be read back leaves every claim
   * of this call undone.
   */
  List<Delivery> claim(String claimer, Instant now, Duration lease, int limit) throws StoreException {
    return store.inTransaction(tx -> {
      List<Delivery> out = new ArrayList<>();
      for (ClaimedDelivery d : tx.outbox().claim(claimer, now, now.minus(lease), limit)) {
        out.add(new Delivery(d.id(), d.eventId(), d.recipient(), d.digest(), d.attempts(), d.subject(),
            AlertKind.ofCode(d.kind()), d.detail(), Severity.ofCode(d.severity()), d.title(),
            AlertOutbox.factsFromJson(d.body()), d.createdAt()));
      }
      return out;
    });
  }

  /** The server accepted the mail: record it with its Message-ID. */
  void markSent(String claimer, List<Long> ids, String messageId, Instant now) throws StoreException {
    outbox.markSent(claimer, ids, messageId, now);
  }

  /**
   * Renews the sender's lease on a mail's deliveries just before it sends them; false when it no
   * longer holds all of them (its lease ran out and another sender took some).
   */
  boolean renew(String claimer, List<Delivery> deliveries, Instant now) throws StoreException {
    return outbox.renew(claimer, ids(deliveries), now) == deliveries.size();
  }

  /** A temporary failure: back to pending, due after the backoff for its attempt count. */
  void defer(String claimer, List<Delivery> deliveries, String error, Instant now) throws StoreException {
    List<AlertOutboxRepository.Retry> retries = new ArrayList<>();
    for (Delivery d : deliveries) {
      int attempts = d.attempts() + 1;
      retries.add(new AlertOutboxRepository.Retry(d.id(), attempts, now.plus(DeliveryBackoff.delay(attempts))));
    }
    outbox.defer(claimer, retries, error, now);
  }

  /** A permanent failure: never retried (unless {@link #retryFailed}). */
  void fail(String claimer, List<Delivery> deliveries, String error, Instant now) throws StoreException {
    outbox.fail(claimer, ids(deliveries), error, now);
  }

  /** Gives claimed deliveries back untouched (the sender stopped or paused before trying them). */
  void release(String claimer, List<Delivery> deliveries) throws StoreException {
    outbox.release(claimer, ids(deliveries));
  }

  /** The first mail sent to {@code recipient} about {@code subject}: the root its follow-ups thread under. */
  Optional<String> threadRoot(String subject, String recipient) throws StoreException {
    return outbox.threadRoot(subject, recipient);
  }

  private static List<Long> ids(List<Delivery> deliveries) {
    return deliveries.stream().map(Delivery::id).toList();
  }
}
