package io.certkeeper.renew;

import io.certkeeper.alert.ManagedRenewal;
import io.certkeeper.alert.ManagedRenewals;
import io.certkeeper.config.CertificateConfig;
import io.certkeeper.store.Jdbc;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Which certificates certkeeper renews itself, and when each generation's renewal is due and
 * overdue under its configured {@link RenewalPolicy}: what status, alerts and the daemon's endpoint
 * probes judge a managed certificate by, instead of an endpoint's expiry warning. A certificate
 * whose name is no longer configured is not managed any more.
 */
public final class RenewalWatch implements ManagedRenewals {
  private final Supplier<List<CertificateConfig>> configured;

  private RenewalWatch(Supplier<List<CertificateConfig>> configured) {
    this.configured = Objects.requireNonNull(configured, "configured");
  }

  /** @param configured the managed certificates in force, read at each call (reloads apply) */
  public static RenewalWatch of(Supplier<List<CertificateConfig>> configured) {
    return new RenewalWatch(configured);
  }

  /** {@link #find(Connection, String)} in a transaction of its own. */
  public Optional<ManagedRenewal> find(Store store, String sha256) throws StoreException {
    return store.inTransaction(c -> find(c, sha256));
  }

  @Override
  public Optional<ManagedRenewal> find(Connection c, String sha256) throws SQLException {
    // the generation in force, else an earlier one (its validity from the certificates table)
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT g.name, g.serial, g.sha256, ct.not_before, g.not_after FROM managed_generations g"
            + " JOIN certificates ct ON ct.sha256 = g.sha256 WHERE g.sha256 = ? ORDER BY g.generation DESC")) {
      ps.setString(1, sha256);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString("name");
          Optional<CertificateConfig> cfg = configured(name);
          Optional<ManagedState> inForce = ManagedRecords.find(c, name);
          if (cfg.isPresent() && inForce.isPresent()) {
            return Optional.of(renewal(cfg.get(), rs.getString("serial"), sha256, Jdbc.getInstant(rs, "not_before"),
                Jdbc.getInstant(rs, "not_after"), inForce.get()));
          }
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public List<ManagedRenewal> current(Connection c) throws SQLException {
    List<ManagedRenewal> out = new ArrayList<>();
    for (CertificateConfig cfg : configured.get()) {
      Optional<ManagedState> s = ManagedRecords.find(c, cfg.name());
      if (s.isPresent()) {
        ManagedState m = s.get();
        out.add(renewal(cfg, m.serial(), m.sha256(), m.notBefore(), m.notAfter(), m));
      }
    }
    return out;
  }

  private Optional<CertificateConfig> configured(String name) {
    return configured.get().stream().filter(c -> c.name().equals(name)).findFirst();
  }

  static ManagedRenewal renewal(CertificateConfig cfg, String serial, String sha256, Instant notBefore,
      Instant notAfter, ManagedState inForce) {
    RenewalPolicy p = Renewer.policyOf(cfg);
    return new ManagedRenewal(cfg.name(), sha256, serial, notAfter, p.renewalTime(cfg.name(), notBefore, notAfter),
        p.overdueAt(cfg.name(), notBefore, notAfter), inForce.serial(), cfg.owners(), inForce.lastError());
  }
}
