package io.certkeeper.acme;

import java.time.Instant;
import java.util.Optional;

/**
 * An ACME order that did not give a certificate, in one line: the step, and the server's problem
 * document when it sent one.
 */
public final class AcmeFailure extends Exception {
  private static final long serialVersionUID = 1L;

  /** When the server said to come back ({@code rateLimited} with Retry-After); empty otherwise. */
  private final transient Optional<Instant> retryAfter;

  AcmeFailure(String message, Optional<Instant> retryAfter, Throwable cause) {
    super(message, cause);
    this.retryAfter = retryAfter;
  }

  public AcmeFailure(String message) {
    this(message, Optional.empty(), null);
  }

  /** When the server asked to be tried again (a rate limit), if it did. */
  public Optional<Instant> retryAfter() {
    return retryAfter;
  }
}
