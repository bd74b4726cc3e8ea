package io.certkeeper.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RenewalCheckTimesTest {
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00.123Z");
  private static final Duration EVERY = Duration.ofMinutes(10);

  @Test
  void eachNodeChecksEveryPeriodAtAPhaseOfItsOwn() {
    Instant a = RenewalCheckTimes.next("node-a", EVERY, NOW);
    Instant b = RenewalCheckTimes.next("node-b", EVERY, NOW);
    for (Instant t : new Instant[] {a, b}) {
      assertTrue(!t.isBefore(NOW) && t.isBefore(NOW.plus(EVERY)), t.toString());
    }
    assertNotEquals(a, b, "two nodes do not check at the same instant");
    // a fixed grid: a check time is its own next, the one after it a period later, whenever asked
    assertEquals(a, RenewalCheckTimes.next("node-a", EVERY, a));
    assertEquals(a.plus(EVERY), RenewalCheckTimes.next("node-a", EVERY, a.plusMillis(1)));
    assertEquals(a.plus(EVERY), RenewalCheckTimes.next("node-a", EVERY, a.plus(EVERY).minusMillis(1)));
  }

  @Test
  void scheduleShowsItAsThisNodesPeriodicJob() {
    ScheduledJob row = RenewalCheckTimes.row("web1", EVERY, NOW);
    assertEquals("periodic", row.kind());
    assertEquals("renewal-check", row.name());
    assertEquals("every 10m on node web1", row.schedule());
    assertEquals(RenewalCheckTimes.next("web1", EVERY, NOW), row.nextRun());
  }
}
