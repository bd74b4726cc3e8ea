package io.certkeeper.acme;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An ACME server's renewal information for one certificate (ARI, RFC 9773 4.2): the window in which
 * to renew, why when it says (an explanation URL), and when to ask again.
 */
public record SuggestedWindow(Instant start, Instant end, Optional<String> explanation, Optional<Instant> retryAfter) {
  public SuggestedWindow {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    Objects.requireNonNull(explanation, "explanation");
    Objects.requireNonNull(retryAfter, "retryAfter");
  }
}
