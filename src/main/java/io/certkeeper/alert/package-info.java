/**
 * E-mail alerts: the right mail, once, never lost.
 *
 * <p>Start from {@link io.certkeeper.alert.Alerting}, which the daemon builds: its {@link
 * io.certkeeper.alert.AlertEvaluator} turns the store's endpoint state into alert events, and its
 * {@link io.certkeeper.alert.AlertSender} delivers them.
 *
 * <ul>
 *   <li>An event is written once, keyed by subject, kind, detail and certificate fingerprint, in the
 *       same transaction as the state that records it as alerted ({@link
 *       io.certkeeper.alert.AlertOutbox}, through the store's {@code Transaction}); other parts
 *       (renewal, through an adapter in the daemon) call {@link
 *       io.certkeeper.alert.AlertOutbox#enqueue} inside their own transactions. The tables belong to
 *       the store ({@code AlertOutboxRepository}, {@code EndpointAlertStateRepository}); this
 *       package holds no SQL.
 *   <li>Each event has one delivery row per recipient: the outbox. The sender claims due rows with a
 *       lease, sends, then marks them sent with the Message-ID; 4xx and network errors back off,
 *       5xx and bad credentials fail for good and are shown by {@code certkeeper alerts --failed}.
 *   <li>Certificates certkeeper renews itself are judged by their renewal, not by thresholds: the
 *       evaluator asks {@link io.certkeeper.store.ManagedRenewals} (owned by the store, implemented
 *       by the renewal code, so this package does not depend on it) and alerts
 *       {@code renewal_overdue}.
 *   <li>Policy is pure and tested with tables: {@link io.certkeeper.alert.ExpiryPolicy} (thresholds
 *       and catch-up), {@link io.certkeeper.alert.EndpointPolicy} (problems, failing, resolved),
 *       {@link io.certkeeper.alert.DeliveryBackoff}, {@link io.certkeeper.alert.DigestWindow}.
 * </ul>
 */
package io.certkeeper.alert;
