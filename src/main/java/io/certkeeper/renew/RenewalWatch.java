package io.certkeeper.renew;

import io.certkeeper.config.CertificateConfig;
import io.certkeeper.store.GenerationRecord;
import io.certkeeper.store.ManagedRenewal;
import io.certkeeper.store.ManagedRenewals;
import io.certkeeper.store.ManagedState;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import io.certkeeper.store.Transaction;
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
  /** The probe's code for a certificate within its endpoint's warning. */
  static final String EXPIRING = "expiring";

  private final String node;
  private final Supplier<List<CertificateConfig>> configured;

  private RenewalWatch(String node, Supplier<List<CertificateConfig>> configured) {
    this.node = Objects.requireNonNull(node, "node");
    this.configured = Objects.requireNonNull(configured, "configured");
  }

  /**
   * @param node the node this runs on (for its transactions)
   * @param configured the managed certificates the configuration declares, for this node and for
   *     others ({@code Config.certificates()} and {@code Config.elsewhere()}), read at each call
   *     (reloads apply): a fleet's alert evaluation runs on any node and judges every node's
   */
  public static RenewalWatch of(String node, Supplier<List<CertificateConfig>> configured) {
    return new RenewalWatch(node, configured);
  }

  /**
   * {@link #find(Transaction, String)} in a transaction of its own; none at all when no managed
   * certificate is configured (every probe asks).
   */
  public Optional<ManagedRenewal> find(Store store, String sha256) throws StoreException {
    if (configured.get().isEmpty()) {
      return Optional.empty();
    }
    return store.inTransaction(tx -> find(tx, sha256));
  }

  @Override
  public Optional<ManagedRenewal> find(Transaction tx, String sha256) throws StoreException {
    // the generation in force, else an earlier one (its validity from the certificates table)
    // of any node: this node's probe may see another node's listener, judged by that node's renewal
    for (GenerationRecord g : tx.managed(node).generationsWith(sha256)) {
      Optional<CertificateConfig> cfg = declared(g.name(), g.node());
      Optional<ManagedState> inForce = tx.managed(node).inForce(g);
      if (cfg.isPresent() && inForce.isPresent()) {
        return Optional.of(renewal(cfg.get(), g.serial(), sha256, g.notBefore(), g.notAfter(), inForce.get()));
      }
    }
    return Optional.empty();
  }

  @Override
  public List<ManagedRenewal> current(Transaction tx) throws StoreException {
    List<ManagedRenewal> out = new ArrayList<>();
    if (configured.get().isEmpty()) {
      return out;
    }
    // every node's: the alert evaluation runs on whichever node Quartz picks
    for (ManagedState m : tx.managed(node).listEveryNode()) {
      Optional<CertificateConfig> cfg = declared(m.name(), m.node());
      if (cfg.isPresent()) {
        out.add(renewal(cfg.get(), m.serial(), m.sha256(), m.notBefore(), m.notAfter(), m));
      }
    }
    return out;
  }

  /**
   * The problems of a probe that obtained the certificate {@code m}, judged by its renewal instead
   * of the endpoint's warning: {@code expiring} (and an earlier {@value ManagedRenewal#OVERDUE})
   * dropped, {@value ManagedRenewal#OVERDUE} added at {@code now} when it is. Every other code
   * stays, in its order.
   */
  public static List<String> judge(ManagedRenewal m, List<String> probed, Instant now) {
    List<String> out = new ArrayList<>();
    for (String p : probed) {
      if (!p.equals(EXPIRING) && !p.equals(ManagedRenewal.OVERDUE)) {
        out.add(p);
      }
    }
    if (m.overdue(now)) {
      out.add(ManagedRenewal.OVERDUE); // where expiring would be: the least severe
    }
    return out;
  }

  /**
   * The status (worst problem, or {@code ok}) that goes with {@link #judge judged} problems: the
   * probed status when it is still among them, else the first of them.
   */
  public static String status(String probedStatus, List<String> judged) {
    if (judged.isEmpty()) {
      return "ok";
    }
    return judged.contains(probedStatus) ? probedStatus : judged.get(0);
  }

  /** The declaration of managed certificate {@code name} that node {@code holder} holds. */
  private Optional<CertificateConfig> declared(String name, String holder) {
    return configured.get().stream().filter(c -> c.name().equals(name) && c.heldBy(holder)).findFirst();
  }

  static ManagedRenewal renewal(CertificateConfig cfg, String serial, String sha256, Instant notBefore,
      Instant notAfter, ManagedState inForce) {
    RenewalPolicy p = Renewer.policyOf(cfg);
    return new ManagedRenewal(cfg.name(), sha256, serial, notAfter, p.renewalTime(cfg.name(), notBefore, notAfter),
        p.overdueAt(cfg.name(), notBefore, notAfter), inForce.serial(), cfg.owners(), inForce.lastError());
  }
}
