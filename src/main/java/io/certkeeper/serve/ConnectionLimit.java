package io.certkeeper.serve;

import io.netty.channel.Channel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The most connections one listener holds open at once. A connection over the cap is closed as
 * soon as it is accepted, before any TLS work; refusals are logged at most once per {@link
 * #LOG_EVERY}, with the number refused since the last line.
 */
final class ConnectionLimit {
  /** Connections a listener holds at once unless configured otherwise. */
  static final int DEFAULT_MAX = 64;
  /** At most one "refused" log line per listener this often. */
  static final Duration LOG_EVERY = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(ConnectionLimit.class);

  private final String listener;
  private final int max;
  private final Clock clock;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger refusedSinceLog = new AtomicInteger();
  private final AtomicLong nextLogMillis = new AtomicLong(Long.MIN_VALUE);

  ConnectionLimit(String listener, int max, Clock clock) {
    if (max < 1) {
      throw new IllegalArgumentException("max connections must be at least 1, got " + max);
    }
    this.listener = listener;
    this.max = max;
    this.clock = clock;
  }

  /**
   * Counts {@code ch} until it closes, or closes it at once when the listener is full.
   *
   * @return whether the connection was admitted
   */
  boolean admit(Channel ch) {
    if (open.incrementAndGet() > max) {
      open.decrementAndGet();
      ch.close();
      refused();
      return false;
    }
    ch.closeFuture().addListener(f -> open.decrementAndGet());
    return true;
  }

  int open() {
    return open.get();
  }

  private void refused() {
    int refused = refusedSinceLog.incrementAndGet();
    long now = clock.millis();
    long next = nextLogMillis.get();
    if (now >= next && nextLogMillis.compareAndSet(next, now + LOG_EVERY.toMillis())) {
      refusedSinceLog.addAndGet(-refused);
      log.warn("{} - {} connections open, the most allowed; refused {} new connection(s) (limits.max-connections)",
          listener, max, refused);
    }
  }
}
