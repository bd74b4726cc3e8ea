package io.certkeeper.store;

import java.time.Duration;
import java.util.Objects;

/**
 * How long opening the store waits while another process holds it for a moment (a daemon starting
 * after a crash, or stopping), and whom to tell, once, that it is waiting.
 *
 * @param budget how long to keep trying; zero fails at the first refusal
 * @param onFirstWait run once, at the first refusal (a line on stderr, a log line)
 */
public record StoreWait(Duration budget, Runnable onFirstWait) {
  /** The default budget: longer than a daemon takes to start or to stop (10 s). */
  public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(60);
  /** How often a held store is tried again. */
  static final Duration RETRY_EVERY = Duration.ofMillis(100);
  /** The longest pause between two tries. */
  static final Duration RETRY_MAX = Duration.ofSeconds(2);

  public StoreWait {
    Objects.requireNonNull(budget, "budget");
    Objects.requireNonNull(onFirstWait, "onFirstWait");
    if (budget.isNegative()) {
      throw new IllegalArgumentException("budget must not be negative: " + budget);
    }
  }

  /** Fails at the first refusal, as before this existed. */
  public static StoreWait none() {
    return new StoreWait(Duration.ZERO, () -> {});
  }

  /** Waits up to {@link #DEFAULT_BUDGET}, running {@code onFirstWait} when the wait begins. */
  public static StoreWait upTo(Duration budget, Runnable onFirstWait) {
    return new StoreWait(budget, onFirstWait);
  }
}
