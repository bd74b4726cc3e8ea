package io.certkeeper.alert;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The certificates certkeeper renews itself, as the alert evaluator needs them. The renewal code
 * implements it ({@code io.certkeeper.renew.RenewalWatch}), so that alerts know renewal policy
 * without depending on it.
 */
public interface ManagedRenewals {
  /** None: every certificate is judged by its endpoint's expiry thresholds. */
  ManagedRenewals NONE = new ManagedRenewals() {
    @Override
    public Optional<ManagedRenewal> find(Connection c, String sha256) {
      return Optional.empty();
    }

    @Override
    public List<ManagedRenewal> current(Connection c) {
      return List.of();
    }
  };

  /** The configured managed certificate one of whose generations has this fingerprint. */
  Optional<ManagedRenewal> find(Connection c, String sha256) throws SQLException;

  /** The generation in force of every configured managed certificate that has one. */
  List<ManagedRenewal> current(Connection c) throws SQLException;
}
