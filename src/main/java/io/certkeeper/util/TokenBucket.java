package io.certkeeper.util;

import java.time.Clock;
import java.util.Objects;

/**
 * A token bucket: {@code rate} tokens a second, at most {@code burst} saved up. Thread-safe; time
 * comes from the injected clock, so tests move it instead of waiting.
 */
public final class TokenBucket {
  private final Clock clock;
  private final double ratePerMilli;
  private final double burst;
  private double tokens;
  private long lastMillis;

  /**
   * @param rate tokens added per second, at least 1
   * @param burst the most tokens held at once (the bucket starts full), at least 1
   */
  public TokenBucket(int rate, int burst, Clock clock) {
    Preconditions.requireArgument(rate >= 1, "rate must be at least 1 a second, got %s", rate);
    Preconditions.requireArgument(burst >= 1, "burst must be at least 1, got %s", burst);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ratePerMilli = rate / 1000.0;
    this.burst = burst;
    this.tokens = burst;
    this.lastMillis = clock.millis();
  }

  /** Takes a token when one is there; false (taking nothing) when the bucket is empty. */
  public synchronized boolean tryTake() {
    long now = clock.millis();
    if (now > lastMillis) {
      tokens = Math.min(burst, tokens + (now - lastMillis) * ratePerMilli);
      lastMillis = now;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
