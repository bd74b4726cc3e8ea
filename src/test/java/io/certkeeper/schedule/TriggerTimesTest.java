package io.certkeeper.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.certkeeper.config.EndpointConfig;
import io.certkeeper.config.ProbeSchedule;
import io.certkeeper.store.Store;
import io.certkeeper.store.TriggerTimes;
import io.certkeeper.testing.StoreBackend;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What {@code status} reads without starting a scheduler, {@link TriggerTimes}, agrees with what
 * Quartz itself says of the same triggers, on each engine.
 */
class TriggerTimesTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void theNextFireTimesReadFromTheTableAreQuartzs(StoreBackend backend) throws Exception {
    Clock clock = Clock.fixed(Instant.parse("2026-11-23T10:00:05Z"), ZoneOffset.UTC);
    List<EndpointConfig> eps = List.of(
        EndpointSchedulerTest.endpoint("a.example:443", ProbeSchedule.every(Duration.ofMinutes(5))),
        EndpointSchedulerTest.endpoint("b.example:443", ProbeSchedule.cron("0 */10 * * * ?")),
        EndpointSchedulerTest.endpoint("c.example:8443", ProbeSchedule.every(Duration.ofHours(1))));
    try (Store store = backend.open(dir)) {
      Scheduling s = Scheduling.create(store, 1);
      Map<String, Instant> quartz = new HashMap<>();
      try {
        EndpointScheduler es = new EndpointScheduler(s.scheduler(), clock);
        es.sync(eps);
        es.schedulePeriodic(Duration.ofHours(1), Duration.ofHours(1), Duration.ofMinutes(1));
        for (EndpointConfig e : eps) {
          quartz.put(EndpointScheduler.triggerName(e.id()), es.nextRun(e.id()).orElseThrow());
        }
      } finally {
        s.close();
      }
      // the periodic jobs are of another group; another scheduler's rows are not ours
      assertEquals(quartz, new TriggerTimes(store).next(Scheduling.NAME, EndpointScheduler.PROBE_GROUP));
      assertEquals(Map.of(), new TriggerTimes(store).next("another", EndpointScheduler.PROBE_GROUP));
      assertEquals(Instant.parse("2026-11-23T10:10:00Z"),
          quartz.get(EndpointScheduler.triggerName(eps.get(1).id())));
    }
  }
}
