package io.certkeeper.store;

import java.util.List;
import java.util.Optional;

/**
 * The certificates certkeeper renews itself, as those who judge certificates need them (the alert
 * evaluator, status, the daemon's probes). The renewal code implements it
 * ({@code io.certkeeper.renew.RenewalWatch}); it lives here, below both, so that alerts know renewal
 * policy without depending on the renewal code. Lookups run in the caller's transaction.
 */
public interface ManagedRenewals {
  /** None: every certificate is judged by its endpoint's expiry thresholds. */
  ManagedRenewals NONE = new ManagedRenewals() {
    @Override
    public Optional<ManagedRenewal> find(Transaction tx, String sha256) {
      return Optional.empty();
    }

    @Override
    public List<ManagedRenewal> current(Transaction tx) {
      return List.of();
    }
  };

  /** The configured managed certificate one of whose generations has this fingerprint. */
  Optional<ManagedRenewal> find(Transaction tx, String sha256) throws StoreException;

  /** The generation in force of every configured managed certificate that has one. */
  List<ManagedRenewal> current(Transaction tx) throws StoreException;
}
