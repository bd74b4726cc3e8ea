/**
 * Managed certificates: issued by the local CA, renewed before they expire, deployed atomically.
 *
 * <p>Start from {@link io.certkeeper.renew.Renewer} (one renewal, step by step, and the periodic
 * check), {@link io.certkeeper.renew.RenewalPolicy} (when: window, jitter) with {@code RenewalBackoff}
 * and {@code StormGuard}, {@link io.certkeeper.renew.ManagedLayout} (the generation folders and
 * the {@code current} link) and {@link io.certkeeper.renew.Reconciler} (what makes kill -9 safe).
 * {@link io.certkeeper.renew.RenewalWatch} tells status, alerts and the daemon's probes when a
 * managed certificate's renewal is due and overdue. Deploy hooks run through {@code HookRunner}; {@code HookProcesses} ends everything a hook started.
 * {@code ListenerCheck} judges, within a grace, whether the listeners of a renewed certificate
 * serve it ({@link io.certkeeper.renew.ServingListeners}: the daemon's; the CLI has none).
 *
 * <p>Uses {@code ca}, {@code store}, {@code x509} and the {@code config} records of its section;
 * not {@code alert}. Renewal, hook and listener alerts go out through {@link
 * io.certkeeper.renew.RenewalAlerts} (the daemon adapts alerting's outbox), written in the store
 * transaction that records the failure; {@code RenewalWatch} implements the store's {@code
 * ManagedRenewals} for the alert evaluator. The rows are the store's ({@code
 * ManagedCertificateRepository}).
 */
package io.certkeeper.renew;
