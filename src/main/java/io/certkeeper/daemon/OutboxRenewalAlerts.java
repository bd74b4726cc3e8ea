package io.certkeeper.daemon;

import io.certkeeper.alert.AlertEvent;
import io.certkeeper.alert.AlertOutbox;
import io.certkeeper.renew.RenewalAlerts;
import io.certkeeper.store.StoreException;
import io.certkeeper.store.Transaction;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The renewal code's alerts, written to alerting's outbox in the renewal's own transaction. Here,
 * where both are known, so that {@code renew} and {@code alert} need nothing from each other; the
 * daemon and the {@code renew} command hand it to their {@link io.certkeeper.renew.Renewer}.
 */
public final class OutboxRenewalAlerts implements RenewalAlerts {
  private final AlertOutbox outbox;

  private OutboxRenewalAlerts(AlertOutbox outbox) {
    this.outbox = Objects.requireNonNull(outbox, "outbox");
  }

  /** Renewal alerts routed and written by {@code outbox}. */
  public static RenewalAlerts to(AlertOutbox outbox) {
    return new OutboxRenewalAlerts(outbox);
  }

  @Override
  public void renewalFailed(Transaction tx, String certificate, String currentSha256, String error,
      Optional<Instant> nextAttempt, Instant expiresAt, List<String> owners) throws StoreException {
    outbox.enqueue(tx, AlertEvent.renewalFailed(certificate, currentSha256, error, nextAttempt, expiresAt, owners));
  }

  @Override
  public void hookFailed(Transaction tx, String certificate, String newSha256, String hook, String error,
      List<String> owners) throws StoreException {
    outbox.enqueue(tx, AlertEvent.hookFailed(certificate, newSha256, hook, error, owners));
  }

  @Override
  public void staleListener(Transaction tx, String certificate, String newSha256, String listener,
      String servedSha256, List<String> owners) throws StoreException {
    outbox.enqueue(tx, AlertEvent.staleListener(certificate, newSha256, listener, servedSha256, owners));
  }
}
