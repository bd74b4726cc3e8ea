package io.certkeeper.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.config.EndpointConfig;
import io.certkeeper.config.ProbeSchedule;
import io.certkeeper.store.Store;
import io.certkeeper.util.HostPort;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointSchedulerTest {
  @TempDir Path dir;

  static EndpointConfig endpoint(String target, ProbeSchedule s) {
    HostPort hp = HostPort.parse(target);
    return new EndpointConfig(EndpointConfig.idFor(hp, Optional.empty(), Optional.empty()), hp, Optional.empty(),
        Optional.empty(), Optional.empty(), List.of(), s, EndpointConfig.DEFAULT_WARNING, EndpointConfig.DEFAULT_CRITICAL,
        EndpointConfig.DEFAULT_TIMEOUT, Map.of(), List.of(), Optional.empty());
  }

  @Test
  void syncKeepsOneJobPerEndpointAcrossRestartsAndChanges() throws Exception {
    Clock clock = Clock.fixed(Instant.parse("2026-11-23T10:00:05Z"), ZoneOffset.UTC);
    List<EndpointConfig> eps = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      eps.add(endpoint("h" + i + ".example:443", ProbeSchedule.every(Duration.ofMinutes(1))));
    }
    try (Store store = Store.openEmbedded(dir, 4)) {
      Scheduling s1 = Scheduling.create(store, 1);
      EndpointScheduler es = new EndpointScheduler(s1.scheduler(), clock);
      assertEquals(new EndpointScheduler.Result(50, 0, 0, 0), es.sync(eps));
      Instant next = es.nextRun(eps.get(7).id()).orElseThrow();
      s1.scheduler().shutdown(false);

      // a restart (new scheduler instance on the same database): nothing is added twice
      Scheduling s2 = Scheduling.create(store, 1);
      EndpointScheduler es2 = new EndpointScheduler(s2.scheduler(), clock);
      assertEquals(new EndpointScheduler.Result(0, 0, 0, 50), es2.sync(eps));
      assertArrayEquals(new int[] {50, 50}, es2.counts());
      assertEquals(next, es2.nextRun(eps.get(7).id()).orElseThrow());

      // one endpoint removed, one rescheduled
      List<EndpointConfig> changed = new ArrayList<>(eps.subList(1, 50));
      changed.set(0, endpoint("h1.example:443", ProbeSchedule.cron("0 */10 * * * ?")));
      assertEquals(new EndpointScheduler.Result(0, 1, 1, 48), es2.sync(changed));
      assertArrayEquals(new int[] {49, 49}, es2.counts());
      assertEquals(Instant.parse("2026-11-23T10:10:00Z"), es2.nextRun("h1.example:443").orElseThrow());
      s2.scheduler().shutdown(false);
    }
  }

  @Test
  void catchUpProbesEachOverdueEndpointOnceSpreadOverAMinute() throws Exception {
    Instant now = Instant.parse("2026-11-23T10:00:00Z");
    Clock clock = Clock.fixed(now, ZoneOffset.UTC);
    EndpointConfig fresh = endpoint("fresh.example:443", ProbeSchedule.every(Duration.ofMinutes(5)));
    EndpointConfig stale = endpoint("stale.example:443", ProbeSchedule.every(Duration.ofMinutes(5)));
    EndpointConfig never = endpoint("never.example:443", ProbeSchedule.every(Duration.ofHours(1)));
    List<String> dispatched = new ArrayList<>();
    List<Duration> delays = new ArrayList<>();
    int n = new EndpointScheduler(null, clock).catchUp(List.of(fresh, stale, never),
        Map.of(fresh.id(), now.minusSeconds(60), stale.id(), now.minus(Duration.ofDays(3))),
        (id, delay) -> {
          dispatched.add(id);
          delays.add(delay);
        });
    assertEquals(2, n);
    assertEquals(List.of(stale.id(), never.id()), dispatched);
    for (Duration d : delays) {
      assertTrue(d.compareTo(EndpointScheduler.CATCH_UP_WINDOW) < 0, d.toString());
    }
  }

  @ParameterizedTest
  @CsvSource({
    "every 5m, 2026-11-23T09:56:00Z, false",
    "every 5m, 2026-11-23T09:54:00Z, true",
    "cron 0 0 * * * ?, 2026-11-23T09:30:00Z, false",
    "cron 0 0 * * * ?, 2026-11-23T08:59:00Z, true",
  })
  void overdueWhenAScheduledRunWasMissed(String schedule, Instant last, boolean overdue) {
    ProbeSchedule s = schedule.startsWith("every ")
        ? ProbeSchedule.every(io.certkeeper.util.Durations.parse(schedule.substring(6)))
        : ProbeSchedule.cron(schedule.substring(5));
    assertEquals(overdue, EndpointScheduler.isOverdue(s, Optional.of(last), Instant.parse("2026-11-23T10:00:00Z")));
    assertTrue(EndpointScheduler.isOverdue(s, Optional.empty(), Instant.parse("2026-11-23T10:00:00Z")));
    assertFalse(EndpointScheduler.name("x".repeat(999)).length() > 200);
  }
}
