package io.certkeeper.serve;

import java.time.Duration;
import java.util.Objects;

/**
 * Time limits of an HTTP listener (the admin API).
 *
 * @param requestTimeout a whole request (line, headers and body) must arrive within this time,
 *     counted from the connection for the first request and from its first byte for the next ones;
 *     bytes trickling in do not extend it. Past it the client gets 408 and the connection closes.
 * @param idleTimeout a kept-alive connection with no request under way is closed after this time
 */
public record HttpLimits(Duration requestTimeout, Duration idleTimeout) {
  /** Default {@link #requestTimeout}. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** Default {@link #idleTimeout}. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

  public HttpLimits {
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    if (requestTimeout.toMillis() < 1 || idleTimeout.toMillis() < 1) {
      throw new IllegalArgumentException("timeouts must be positive, got request " + requestTimeout + ", idle "
          + idleTimeout);
    }
  }

  /** 10 s for a request, 60 s idle. */
  public static HttpLimits defaults() {
    return new HttpLimits(DEFAULT_REQUEST_TIMEOUT, DEFAULT_IDLE_TIMEOUT);
  }
}
