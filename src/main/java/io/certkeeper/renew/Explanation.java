package io.certkeeper.renew;

import io.certkeeper.config.CertificateConfig;
import io.certkeeper.store.AcmeState;
import io.certkeeper.store.ManagedState;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When and why a managed certificate will renew: its policy, the window, the jitter, and any
 * backoff after failures. The JSON of {@code explain --json} and of the {@code managed} entries of
 * {@code status --json}.
 *
 * @param state {@code not-issued} (no certificate yet), {@code waiting} (before its renewal time),
 *     {@code due} (renews at the next check), {@code backing-off} (failed; waits for nextAttemptAt),
 *     {@code overdue} (not renewed by {@code overdueAt}: alerted as {@code renewal_overdue})
 * @param windowStart renewal time before jitter
 * @param jitter the fixed delay for this name
 * @param renewAt when it renews (window start plus jitter, capped before notAfter)
 * @param nextAttemptAt when renewal is tried again after failures
 * @param overdueAt from when the renewal is overdue ({@link RenewalPolicy#overdueAt})
 * @param renewalInfo the ACME server's suggested window for the certificate in force (ARI), which
 *     then decides {@code renewAt}; null when the server gave none
 */
public record Explanation(String name, String state, String policy, String serial, Instant notBefore,
    Instant notAfter, Instant windowStart, String jitter, Instant renewAt, Instant nextAttemptAt,
    int consecutiveFailures, String lastError, Instant lastRenewedAt, String lastHookError, Long generation,
    Instant overdueAt, String issuer, RenewalInfo renewalInfo) {
  /**
   * An ACME server's renewal information (RFC 9773) as {@code explain} shows it.
   *
   * @param renewAt the time chosen at random in the window
   * @param explanation the server's explanation URL, null when it gave none
   * @param nextFetch when the server is asked again
   */
  public record RenewalInfo(Instant windowStart, Instant windowEnd, Instant renewAt, String explanation,
      Instant nextFetch) {}

  /** The state of a certificate not renewed by its {@code overdueAt}. */
  public static final String OVERDUE = "overdue";

  /** Explains {@code c} given what the store knows. */
  public static Explanation of(CertificateConfig c, Optional<ManagedState> state, Instant now) {
    return of(c, state, Optional.empty(), now);
  }

  /** Explains {@code c} given what the store knows, {@code acme} included for an ACME certificate. */
  public static Explanation of(CertificateConfig c, Optional<ManagedState> state, Optional<AcmeState> acme,
      Instant now) {
    RenewalPolicy p = Renewer.policyOf(c);
    if (state.isEmpty()) {
      // an ACME certificate whose first orders failed: when it is tried again, and why it failed
      Instant next = acme.flatMap(AcmeState::noOrderBefore).orElse(null);
      return new Explanation(c.name(), next != null && now.isBefore(next) ? "backing-off" : "not-issued", p.describe(),
          null, null, null, null, null, null, next, acme.map(AcmeState::firstFailures).orElse(0),
          acme.flatMap(AcmeState::firstError).orElse(null), null, null, null, null, issuer(c), null);
    }
    ManagedState s = state.get();
    Instant start = p.windowStart(s.notBefore(), s.notAfter());
    Duration jitter = RenewalPolicy.jitter(c.name(), s.notBefore(), s.notAfter());
    Optional<AcmeState.Ari> ari = acme.flatMap(AcmeState::ari).filter(a -> a.serial().equals(s.serial()));
    Optional<AcmeState.Window> window = ari.flatMap(AcmeState.Ari::window);
    Instant renewAt = window.map(AcmeState.Window::renewAt)
        .orElseGet(() -> p.renewalTime(c.name(), s.notBefore(), s.notAfter()));
    RenewalInfo info = window.map(w -> new RenewalInfo(w.start(), w.end(), w.renewAt(), w.explanation().orElse(null),
        ari.get().nextFetch())).orElse(null);
    Instant overdueAt = p.overdueAt(c.name(), s.notBefore(), s.notAfter());
    String st;
    if (!now.isBefore(overdueAt)) {
      st = OVERDUE;
    } else if (s.nextAttemptAt().filter(now::isBefore).isPresent()) {
      st = "backing-off";
    } else {
      st = now.isBefore(renewAt) ? "waiting" : "due";
    }
    return new Explanation(c.name(), st, info != null ? "the ACME server's renewal window (ARI)" : p.describe(),
        s.serial(), s.notBefore(), s.notAfter(), start,
        io.certkeeper.util.Durations.format(jitter), renewAt, s.nextAttemptAt().orElse(null), s.consecutiveFailures(),
        s.lastError().orElse(null), s.lastRenewedAt(), s.lastHookError().orElse(null), s.generation(), overdueAt,
        issuer(c), info);
  }

  /** {@code local}, or {@code acme:ACCOUNT (CHALLENGE)}. */
  private static String issuer(CertificateConfig c) {
    return c.acme().map(a -> "acme:" + a.account() + " (" + a.challenge().code() + ")").orElse("local");
  }
}
