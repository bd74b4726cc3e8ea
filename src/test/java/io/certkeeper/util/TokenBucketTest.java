package io.certkeeper.util;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private final TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));

  @Test
  void aFullBucketGivesItsBurstThenRefillsAtTheRate() {
    TokenBucket b = new TokenBucket(10, 3, clock);
    assertTrue(b.tryTake());
    assertTrue(b.tryTake());
    assertTrue(b.tryTake());
    assertFalse(b.tryTake());
    clock.advance(Duration.ofMillis(100));
    assertTrue(b.tryTake(), "one token per 100 ms at 10/s");
    assertFalse(b.tryTake());
    clock.advance(Duration.ofHours(1));
    for (int i = 0; i < 3; i++) {
      assertTrue(b.tryTake());
    }
    assertFalse(b.tryTake(), "never more than the burst saved up");
  }

  @Test
  void aRateBelowOneIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1, clock));
  }
}
