package io.certkeeper.renew;

import io.certkeeper.config.CertificateConfig;
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
 */
public record Explanation(String name, String state, String policy, String serial, Instant notBefore,
    Instant notAfter, Instant windowStart, String jitter, Instant renewAt, Instant nextAttemptAt,
    int consecutiveFailures, String lastError, Instant lastRenewedAt, String lastHookError, Long generation,
    Instant overdueAt, String issuer) {
  /** The state of a certificate not renewed by its {@code overdueAt}. */
  public static final String OVERDUE = "overdue";

  /** Explains {@code c} given what the store knows. */
  public static Explanation of(CertificateConfig c, Optional<ManagedState> state, Instant now) {
    RenewalPolicy p = Renewer.policyOf(c);
    if (state.isEmpty()) {
      return new Explanation(c.name(), "not-issued", p.describe(), null, null, null, null, null, null, null, 0, null,
          null, null, null, null, issuer(c));
    }
    ManagedState s = state.get();
    Instant start = p.windowStart(s.notBefore(), s.notAfter());
    Duration jitter = RenewalPolicy.jitter(c.name(), s.notBefore(), s.notAfter());
    Instant renewAt = p.renewalTime(c.name(), s.notBefore(), s.notAfter());
    Instant overdueAt = p.overdueAt(c.name(), s.notBefore(), s.notAfter());
    String st;
    if (!now.isBefore(overdueAt)) {
      st = OVERDUE;
    } else if (s.nextAttemptAt().filter(now::isBefore).isPresent()) {
      st = "backing-off";
    } else {
      st = now.isBefore(renewAt) ? "waiting" : "due";
    }
    return new Explanation(c.name(), st, p.describe(), s.serial(), s.notBefore(), s.notAfter(), start,
        io.certkeeper.util.Durations.format(jitter), renewAt, s.nextAttemptAt().orElse(null), s.consecutiveFailures(),
        s.lastError().orElse(null), s.lastRenewedAt(), s.lastHookError().orElse(null), s.generation(), overdueAt,
        issuer(c));
  }

  /** {@code local}, or {@code acme:ACCOUNT (CHALLENGE)}. */
  private static String issuer(CertificateConfig c) {
    return c.acme().map(a -> "acme:" + a.account() + " (" + a.challenge().code() + ")").orElse("local");
  }
}
