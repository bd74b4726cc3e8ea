package io.certkeeper.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JitterTest {
  @Test
  void offsetIsStableAndWithinThePeriod() {
    Duration p = Duration.ofMinutes(5);
    for (int i = 0; i < 1000; i++) {
      Duration o = Jitter.offset("host" + i + ":443", p);
      assertTrue(!o.isNegative() && o.compareTo(p) < 0, o.toString());
      assertEquals(o, Jitter.offset("host" + i + ":443", p));
    }
  }

  @Test
  void manyEndpointsSpreadEvenlyOverThePeriod() {
    Duration p = Duration.ofMinutes(1);
    int[] perTenSeconds = new int[6];
    for (int i = 0; i < 6000; i++) {
      perTenSeconds[(int) (Jitter.offset("e" + i, p).toMillis() / 10_000)]++;
    }
    for (int n : perTenSeconds) {
      assertTrue(n > 850 && n < 1150, java.util.Arrays.toString(perTenSeconds));
    }
  }

  @Test
  void nextSlotIsTheFirstGridPointAtOrAfterNow() {
    Duration p = Duration.ofMinutes(5);
    Instant now = Instant.parse("2026-11-23T10:00:00Z");
    Instant slot = Jitter.nextSlot("a.example:443", p, now);
    assertTrue(!slot.isBefore(now) && slot.isBefore(now.plus(p)), slot.toString());
    assertEquals(slot, Jitter.nextSlot("a.example:443", p, slot));
    assertEquals(slot.plus(p), Jitter.nextSlot("a.example:443", p, slot.plusMillis(1)));
    // the same phase after a restart a day later
    Instant later = Jitter.nextSlot("a.example:443", p, now.plus(Duration.ofDays(1)));
    assertEquals(0, Duration.between(slot, later).toMillis() % p.toMillis());
  }
}
