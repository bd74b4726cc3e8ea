package io.certkeeper.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.certkeeper.config.AlertsConfig;
import io.certkeeper.store.OutboxDelivery;
import io.certkeeper.store.OutboxEvent;
import io.certkeeper.store.StoreException;
import io.certkeeper.store.Transaction;
import io.certkeeper.util.Json;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Writes alert events and their deliveries, inside the caller's transaction, so that an alert
 * exists if and only if the state change that caused it was committed. An event whose key exists
 * already is not written again: that is what makes every alert fire once. Who receives an event,
 * and when, is decided here ({@link Routing}, {@link DigestWindow}); the rows are the store's
 * ({@link io.certkeeper.store.AlertOutboxRepository}).
 *
 * <p>For other parts: {@code store.inTransaction(tx -> ...; outbox.enqueue(tx, event))} in the
 * transaction that records the state change.
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
   * Records {@code event} and one pending delivery per recipient in {@code tx}, unless an event
   * with the same key exists. Does not commit: the caller's transaction does.
   *
   * @return true when the event was new
   */
  public boolean enqueue(Transaction tx, AlertEvent event) throws StoreException {
    Instant now = clock.instant();
    List<OutboxDelivery> deliveries = new ArrayList<>();
    if (!event.suppressed()) {
      for (Routing.Recipient r : Routing.recipients(event.owners(), event.severity(), config.get())) {
        deliveries.add(new OutboxDelivery(r.address(), r.digest().code(), DigestWindow.due(r.digest(), now)));
      }
    }
    return tx.outbox().add(stored(event), deliveries, now);
  }

  /** The event as the store keeps it. */
  static OutboxEvent stored(AlertEvent event) {
    return new OutboxEvent(event.dedupKey(), event.subject(), event.kind().code(), event.detail(), event.fingerprint(),
        event.severity().code(), event.title(), toJson(event.facts()), event.suppressed());
  }

  /** The details already recorded (mailed or suppressed) for {@code subject}'s certificate {@code fingerprint}. */
  static Set<String> recorded(Transaction tx, String subject, AlertKind kind, String fingerprint)
      throws StoreException {
    return tx.outbox().details(subject, kind.code(), fingerprint);
  }

  static String toJson(AlertFacts facts) {
    try {
      return Json.mapper().writeValueAsString(facts);
    } catch (JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  static AlertFacts factsFromJson(String json) throws StoreException {
    try {
      return Json.mapper().readValue(json, AlertFacts.class);
    } catch (JsonProcessingException e) {
      throw new StoreException("store: corrupt alert body: " + e.getOriginalMessage(), e);
    }
  }
}
