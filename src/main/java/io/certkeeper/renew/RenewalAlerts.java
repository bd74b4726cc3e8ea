package io.certkeeper.renew;

import io.certkeeper.store.StoreException;
import io.certkeeper.store.Transaction;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the renewal code tells people about, written in the caller's transaction: a failed renewal
 * in the transaction that records the failure, so the alert exists if and only if the failure was
 * recorded. Implemented above this package (the daemon adapts alerting's outbox), so that
 * {@code renew} does not depend on {@code alert}. Each event fires once.
 */
public interface RenewalAlerts {
  /**
   * Renewing a managed certificate failed.
   *
   * @param currentSha256 fingerprint of the certificate that should have been replaced
   * @param error what went wrong, one line
   * @param nextAttempt when renewal will be tried again, if it will
   * @param expiresAt when the current certificate expires
   */
  void renewalFailed(Transaction tx, String certificate, String currentSha256, String error,
      Optional<Instant> nextAttempt, Instant expiresAt, List<String> owners) throws StoreException;

  /**
   * A deploy hook failed after a renewal: the new certificate is on disk but may not be in use.
   *
   * @param newSha256 fingerprint of the certificate just put in force
   * @param hook the hook's command
   */
  void hookFailed(Transaction tx, String certificate, String newSha256, String hook, String error,
      List<String> owners) throws StoreException;

  /**
   * A listener still serves another certificate than the one in force after its grace.
   *
   * @param listener the listener's name
   * @param servedSha256 what it serves ({@code none} when the connection failed)
   */
  void staleListener(Transaction tx, String certificate, String newSha256, String listener, String servedSha256,
      List<String> owners) throws StoreException;
}
