package io.certkeeper.alert;

import io.certkeeper.config.AlertsConfig;
import io.certkeeper.store.ExpiringIssued;
import io.certkeeper.store.ManagedRenewals;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import io.certkeeper.util.Printable;
import io.certkeeper.x509.CertificateInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code expiry} alerts for the leaves the local CA issued ({@code certkeeper issue}, the API, a
 * batch): each crosses the alert thresholds like an endpoint's certificate does, with the critical
 * window of endpoints by default. Left out: revoked certificates, the CA's own, the generations of
 * managed certificates (alerted on their renewal instead), and a certificate replaced by a newer one
 * with the same subject and names (a renewal by hand).
 *
 * <p>A pass reads only the certificates that crossed a threshold since the pass before (the
 * notAfter windows {@code (last + t, now + t]} per threshold {@code t}), not the inventory; the
 * first pass after a start looks back {@link #FIRST_LOOK_BACK}. Crossings while the daemon was down
 * longer than that are not mailed (the most severe one is, at the next threshold).
 */
final class IssuedAlerts {
  static final Duration FIRST_LOOK_BACK = Duration.ofDays(1);
  static final Duration CRITICAL = io.certkeeper.config.EndpointConfig.DEFAULT_CRITICAL;

  private static final Logger log = LoggerFactory.getLogger(IssuedAlerts.class);

  private final Store store;
  private final AlertOutbox outbox;
  private final Clock clock;
  private final ManagedRenewals managed;
  private Instant last;

  IssuedAlerts(Store store, AlertOutbox outbox, Clock clock, ManagedRenewals managed) {
    this.store = Objects.requireNonNull(store, "store");
    this.outbox = Objects.requireNonNull(outbox, "outbox");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.managed = Objects.requireNonNull(managed, "managed");
  }

  /** One pass; returns {alerted, suppressed}. */
  synchronized int[] evaluate(AlertsConfig cfg) throws StoreException {
    Instant now = clock.instant();
    Instant from = last == null ? now.minus(FIRST_LOOK_BACK) : last;
    List<ExpiringIssued.Window> windows = new ArrayList<>();
    // expired means strictly past notAfter: a certificate expiring at this very instant is the next pass's
    windows.add(new ExpiringIssued.Window(from.minusNanos(1), now.minusNanos(1)));
    for (Duration t : cfg.thresholds()) {
      windows.add(new ExpiringIssued.Window(from.plus(t), now.plus(t)));
    }
    List<ExpiringIssued.Leaf> crossing = new ExpiringIssued(store).expiringIn(windows);
    int alerted = 0;
    int suppressed = 0;
    for (ExpiringIssued.Leaf leaf : crossing) {
      String subject = "issued:" + CertificateInfo.commonName(leaf.subject()) + " serial " + leaf.serial();
      try {
        List<AlertEvent> written = store.inTransaction(tx -> {
          List<AlertEvent> out = new ArrayList<>();
          if (managed.find(tx, leaf.sha256()).isPresent() || tx.expiringIssued().replaced(leaf)) {
            return out;
          }
          ExpiryPolicy.Decision d = ExpiryPolicy.decide(leaf.notAfter(), now, cfg.thresholds(),
              AlertOutbox.recorded(tx, subject, AlertKind.EXPIRY, leaf.sha256()));
          List<AlertEvent> events = new ArrayList<>();
          d.fire().ifPresent(label -> events.add(expiry(subject, leaf, label, now)));
          for (String label : d.suppress()) {
            events.add(expiry(subject, leaf, label, now).asSuppressed());
          }
          for (AlertEvent e : events) {
            if (outbox.enqueue(tx, e)) {
              out.add(e);
            }
          }
          return out;
        });
        for (AlertEvent e : written) {
          if (e.suppressed()) {
            suppressed++;
          } else {
            alerted++;
            log.info("{} - alert {} {}: {}", subject, e.severity().code(), e.kind().code(), Printable.line(e.title()));
          }
        }
      } catch (StoreException e) {
        log.warn("{} - alert evaluation failed: {}", subject, e.getMessage());
        return new int[] {alerted, suppressed}; // last stays: the next pass reads these windows again
      }
    }
    last = now;
    return new int[] {alerted, suppressed};
  }

  private static AlertEvent expiry(String subject, ExpiringIssued.Leaf leaf, String label, Instant now) {
    String remaining = ExpiryPolicy.remaining(leaf.notAfter(), now);
    String name = CertificateInfo.commonName(leaf.subject());
    String what = label.equals(ExpiryPolicy.EXPIRED)
        ? "The certificate " + name + " (serial " + leaf.serial() + ") that the local CA issued has expired."
        : "The certificate " + name + " (serial " + leaf.serial() + ") that the local CA issued " + remaining
            + " (alert threshold " + label + ").";
    return new AlertEvent(subject, AlertKind.EXPIRY, label, Optional.of(leaf.sha256()),
        ExpiryPolicy.severity(label, CRITICAL), name + " certificate " + remaining,
        new AlertFacts(what, "issued by the local CA (" + leaf.profile() + " profile, names " + leaf.sans() + ")",
            "not after " + leaf.notAfter() + " (checked " + now + ")",
            "Issue a new certificate with the same subject and names ('certkeeper issue'), deploy it, and revoke this"
                + " one if it is no longer needed; a newer certificate for the same names ends these alerts.",
            List.of(leaf.subject() + " | issuer " + leaf.issuer() + " | not after " + leaf.notAfter() + " | sha256 "
                + leaf.sha256())),
        List.of(), false);
  }
}
