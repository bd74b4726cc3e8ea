package io.certkeeper.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the store knows of one ACME-issued managed certificate beyond its generations: the retry
 * state of its first issue, and the server's renewal information (ARI) for the certificate in force.
 *
 * @param firstFailures failed first orders in a row (0 once one succeeded)
 * @param noOrderBefore no new first order before this (backoff, or the server's Retry-After)
 */
public record AcmeState(String node, String name, int firstFailures, Optional<String> firstError,
    Optional<Instant> noOrderBefore, Optional<Ari> ari) {
  public AcmeState {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(firstError, "firstError");
    Objects.requireNonNull(noOrderBefore, "noOrderBefore");
    Objects.requireNonNull(ari, "ari");
  }

  /**
   * The server's renewal information for certificate {@code serial}.
   *
   * @param window the suggested window and the time chosen in it; empty when the server offers no
   *     renewalInfo
   * @param nextFetch when to ask the server again
   */
  public record Ari(String serial, Optional<Window> window, Instant nextFetch) {
    public Ari {
      Objects.requireNonNull(serial, "serial");
      Objects.requireNonNull(window, "window");
      Objects.requireNonNull(nextFetch, "nextFetch");
    }
  }

  /**
   * A suggested renewal window (RFC 9773 4.2) and the time chosen in it.
   *
   * @param explanation the server's explanationURL, when it gave one (a mass revocation, say)
   */
  public record Window(Instant start, Instant end, Instant renewAt, Optional<String> explanation) {
    public Window {
      Objects.requireNonNull(start, "start");
      Objects.requireNonNull(end, "end");
      Objects.requireNonNull(renewAt, "renewAt");
      Objects.requireNonNull(explanation, "explanation");
    }
  }
}
