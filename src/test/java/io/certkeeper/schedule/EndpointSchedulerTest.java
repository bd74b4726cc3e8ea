package io.certkeeper.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.config.EndpointConfig;
import io.certkeeper.config.ProbeSchedule;
import io.certkeeper.store.ProbeSlotRepository;
import io.certkeeper.store.Store;
import io.certkeeper.util.HostPort;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;

class EndpointSchedulerTest {
  @TempDir Path dir;

  static EndpointConfig endpoint(String target, ProbeSchedule s) {
    HostPort hp = HostPort.parse(target);
    return new EndpointConfig(EndpointConfig.idFor(hp, Optional.empty(), Optional.empty()), hp, Optional.empty(),
        Optional.empty(), Optional.empty(), List.of(), s, EndpointConfig.DEFAULT_WARNING, EndpointConfig.DEFAULT_CRITICAL,
        EndpointConfig.DEFAULT_TIMEOUT, Map.of(), List.of(), Optional.empty());
  }

  static List<EndpointConfig> endpoints(int n, ProbeSchedule s) {
    List<EndpointConfig> eps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      eps.add(endpoint("h" + i + ".example:443", s));
    }
    return eps;
  }

  /** What an earlier version kept per endpoint; only its class name is stored. */
  public static final class LegacyJob implements Job {
    @Override
    public void execute(JobExecutionContext context) {}
  }

  @Test
  void syncReplacesTheLegacyPerEndpointJobsByOneSlotJobAndCountsChanges() throws Exception {
    Clock clock = Clock.fixed(Instant.parse("2026-11-23T10:00:05Z"), ZoneOffset.UTC);
    List<EndpointConfig> eps = endpoints(50, ProbeSchedule.every(Duration.ofMinutes(1)));
    try (Store store = Store.openEmbedded(dir, 4)) {
      Scheduling s = Scheduling.create(store, 1);
      try {
        for (int i = 0; i < 3; i++) {
          s.scheduler().scheduleJob(JobBuilder.newJob(LegacyJob.class).withIdentity("e" + i, "probe").storeDurably().build(),
              Set.of(TriggerBuilder.newTrigger().withIdentity("e" + i, "probe")
                  .withSchedule(SimpleScheduleBuilder.repeatMinutelyForever()).build()), true);
        }
        EndpointScheduler es = new EndpointScheduler(s.scheduler(), clock);
        assertEquals(new EndpointScheduler.Result(50, 0, 0, 0), es.sync(eps));
        assertTrue(s.scheduler().getJobKeys(GroupMatcher.jobGroupEquals("probe")).isEmpty());
        Trigger slot = s.scheduler().getTrigger(new TriggerKey(EndpointScheduler.slotJob(0), "periodic"));
        assertNotNull(slot);
        assertEquals(clock.instant(), slot.getNextFireTime().toInstant());

        // one endpoint removed, one rescheduled; the live slot job is kept as it is
        List<EndpointConfig> changed = new ArrayList<>(eps.subList(1, 50));
        changed.set(0, endpoint("h1.example:443", ProbeSchedule.cron("0 */10 * * * ?")));
        assertEquals(new EndpointScheduler.Result(0, 1, 1, 48), es.sync(changed));
        // the firing at 10:00 is still ahead for this endpoint, whose spread puts it after 10:00:05
        assertEquals(Instant.parse("2026-11-23T10:00:00Z").plus(
            io.certkeeper.util.Jitter.offset("h1.example:443", ProbeCalendar.CRON_SPREAD)),
            es.nextRun("h1.example:443").orElseThrow());
        assertEquals(EndpointScheduler.PARTITIONS, s.scheduler().getJobKeys(GroupMatcher.jobGroupEquals("periodic"))
            .size());

        // a start replaces even a live trigger (a killed daemon may hold it acquired)
        Clock soon = Clock.fixed(clock.instant().plusSeconds(2), ZoneOffset.UTC);
        new EndpointScheduler(s.scheduler(), soon).restartSlots(soon.instant(), false);
        assertEquals(soon.instant(), s.scheduler().getTrigger(new TriggerKey(EndpointScheduler.slotJob(0), "periodic"))
            .getNextFireTime().toInstant());

        // a sync (a reload) keeps a live trigger however far behind: its firings cover the backlog
        Clock later = Clock.fixed(clock.instant().plus(Duration.ofHours(2)), ZoneOffset.UTC);
        new EndpointScheduler(s.scheduler(), later).sync(changed);
        assertEquals(soon.instant(), s.scheduler().getTrigger(new TriggerKey(EndpointScheduler.slotJob(0), "periodic"))
            .getNextFireTime().toInstant());
      } finally {
        s.scheduler().shutdown(false);
      }
    }
  }

  @Test
  void consecutiveSlotsDispatchEveryDueProbeOnceAtItsTime() {
    Instant start = Instant.parse("2026-11-23T10:00:00Z");
    MutableClock clock = new MutableClock(start);
    List<EndpointConfig> eps = endpoints(200, ProbeSchedule.every(Duration.ofMinutes(1)));
    eps.add(endpoint("fast.example:443", ProbeSchedule.every(Duration.ofSeconds(2))));
    EndpointScheduler es = new EndpointScheduler(null, clock);
    es.replan(eps);
    Map<String, List<Instant>> at = new HashMap<>();
    Instant from = start;
    for (int slot = 0; slot < 12; slot++) {
      Instant to = from.plus(EndpointScheduler.SLOT);
      clock.now = from.plusMillis(3); // a firing is a little late
      for (int k = 0; k < EndpointScheduler.PARTITIONS; k++) {
        es.slot(k, from, to, (id, delay) -> at.computeIfAbsent(id, x -> new ArrayList<>()).add(clock.now.plus(delay)));
      }
      from = to;
    }
    for (int i = 0; i < 200; i++) {
      String id = eps.get(i).id();
      List<Instant> times = at.get(id);
      assertEquals(1, times.size(), id);
      Instant due = io.certkeeper.util.Jitter.nextSlot(id, Duration.ofMinutes(1), start);
      // on time, or at once when the firing came after the due time
      assertEquals(due.isBefore(start.plusMillis(3)) ? start.plusMillis(3) : due, times.get(0), id);
    }
    assertEquals(30, at.get("fast.example:443").size());
  }

  @Test
  void catchUpIsPacedAndLeavesEndpointsToTheirRegularProbeWhenThatComesFirst() {
    Instant now = Instant.parse("2026-11-23T10:00:00Z");
    Clock clock = Clock.fixed(now, ZoneOffset.UTC);
    List<EndpointConfig> eps = endpoints(10_000, ProbeSchedule.every(Duration.ofMinutes(5)));
    EndpointConfig fresh = endpoint("fresh.example:443", ProbeSchedule.every(Duration.ofMinutes(5)));
    eps.add(fresh);
    EndpointScheduler es = new EndpointScheduler(null, clock);
    es.replan(eps);
    Map<String, Instant> last = new HashMap<>();
    for (EndpointConfig e : eps) {
      last.put(e.id(), now.minus(Duration.ofDays(1)));
    }
    last.put(fresh.id(), now.minusSeconds(1));
    List<String> ids = new ArrayList<>();
    List<Duration> delays = new ArrayList<>();
    int n = es.catchUp(last, (id, delay) -> {
      ids.add(id);
      delays.add(delay);
    }, 100);
    assertEquals(n, ids.size());
    assertFalse(ids.contains(fresh.id()));
    // at most 100 a second: consecutive catch-up probes are 10 ms apart or more
    for (int i = 1; i < delays.size(); i++) {
      assertTrue(delays.get(i).minus(delays.get(i - 1)).toMillis() >= 10, delays.get(i) + " after " + delays.get(i - 1));
    }
    // each comes before the endpoint's regular probe; the others were left to it
    for (int i = 0; i < ids.size(); i++) {
      Instant regular = io.certkeeper.util.Jitter.nextSlot(ids.get(i), Duration.ofMinutes(5), now);
      assertTrue(now.plus(delays.get(i)).isBefore(regular), ids.get(i));
    }
    // 100 a second against 300 s of regular probes ahead: most, not all, are caught up earlier
    assertTrue(n > 5_000 && n < 10_000, Integer.toString(n));

    // a few overdue endpoints are spread over a minute, not sent at once
    List<Duration> few = new ArrayList<>();
    EndpointScheduler small = new EndpointScheduler(null, clock);
    small.replan(endpoints(4, ProbeSchedule.every(Duration.ofHours(6))));
    assertEquals(4, small.catchUp(Map.of(), (id, d) -> few.add(d), 100));
    assertEquals(List.of(Duration.ZERO, Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofSeconds(45)), few);
  }

  @Test
  void aSlotAfterAStallCatchesUpTheStallPacedAndDispatchesItsOwnProbesOnTime() {
    Instant now = Instant.parse("2026-11-23T10:00:00Z");
    Clock clock = Clock.fixed(now, ZoneOffset.UTC);
    List<EndpointConfig> eps = endpoints(3_000, ProbeSchedule.every(Duration.ofMinutes(30)));
    EndpointScheduler es = new EndpointScheduler(null, clock);
    es.replan(eps);
    es.catchUpRate(50);
    Instant from = now.minus(Duration.ofMinutes(10)); // no slot fired for ten minutes
    Instant to = now.plus(EndpointScheduler.SLOT);
    Map<String, Duration> got = new HashMap<>();
    int n = 0;
    for (int k = 0; k < EndpointScheduler.PARTITIONS; k++) {
      n += es.slot(k, from, to, (id, delay) -> assertEquals(null, got.put(id, delay), "twice: " + id));
    }
    assertEquals(n, got.size());
    Instant recent = to.minus(EndpointScheduler.SLOT).minus(EndpointScheduler.MAX_GAP);
    ProbeCalendar cal = ProbeCalendar.of(eps);
    int stalled = cal.due(from, recent).size();
    int own = cal.due(recent, to).size();
    assertTrue(stalled > 700 && own > 50, stalled + " " + own);
    assertEquals(stalled + own, n);
    // the stalled ones at 50 a second in all: each partition's share at 6 a second (167 ms apart)
    Map<Integer, List<Duration>> paced = new HashMap<>();
    for (ProbeCalendar.Due d : cal.due(from, recent)) {
      paced.computeIfAbsent(EndpointScheduler.partition(d.endpointId()), k -> new ArrayList<>())
          .add(got.get(d.endpointId()));
    }
    assertEquals(EndpointScheduler.PARTITIONS, paced.size());
    for (List<Duration> share : paced.values()) {
      share.sort(null);
      for (int i = 1; i < share.size(); i++) {
        assertTrue(share.get(i).minus(share.get(i - 1)).toMillis() >= 166, share.get(i) + " " + share.get(i - 1));
      }
    }
  }

  @Test
  void slotWindowsAreContiguousAndFillShortGaps() {
    Instant t = Instant.parse("2026-11-23T10:00:00Z");
    Instant slot = t.plus(EndpointScheduler.SLOT);
    // the usual case: the last window ended where this one starts
    assertEquals(List.of(t, slot), List.of(ProbeSlotJob.window(t, t)));
    // a skipped firing (pause, misfire): the gap is covered
    assertEquals(List.of(t.minusSeconds(10), slot), List.of(ProbeSlotJob.window(t, t.minusSeconds(10))));
    // a long stall: the window reaches back to it (the slot paces that part), at most a day
    assertEquals(List.of(t.minus(Duration.ofHours(1)), slot), List.of(ProbeSlotJob.window(t, t.minus(Duration.ofHours(1)))));
    assertEquals(List.of(t.minus(Duration.ofDays(1)), slot), List.of(ProbeSlotJob.window(t, t.minus(Duration.ofDays(9)))));
    // a window already covered (a trigger replaced early) is not dispatched twice
    assertEquals(List.of(t.plusSeconds(2), slot), List.of(ProbeSlotJob.window(t, t.plusSeconds(2))));
    assertEquals(List.of(slot, slot), List.of(ProbeSlotJob.window(t, t.plusSeconds(60))));
  }

  @Test
  void theSlotJobFiresThroughQuartzWithContiguousWindows() throws Exception {
    List<Instant[]> windows = Collections.synchronizedList(new ArrayList<>());
    try (Store store = Store.openEmbedded(dir, 4)) {
      Scheduling s = Scheduling.create(store, 2);
      EndpointScheduler es = new EndpointScheduler(s.scheduler(), Clock.systemUTC());
      es.sync(endpoints(3, ProbeSchedule.every(Duration.ofSeconds(1))));
      StoredSlotCoverage coverage = new StoredSlotCoverage(new ProbeSlotRepository(store), "node-a",
          Clock.systemUTC());
      es.restartSlots(coverage.restart(), false);
      s.scheduler().getContext().put(Services.CONTEXT_KEY, new Services((partition, from, to) -> {
        if (partition == 0) {
          windows.add(new Instant[] {from, to});
        }
        return 0;
      }, coverage, () -> {}, Optional.empty()));
      try {
        s.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (windows.size() < 3 && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
      } finally {
        s.close();
      }
    }
    assertTrue(windows.size() >= 3, Integer.toString(windows.size()));
    for (int i = 1; i < windows.size(); i++) {
      assertEquals(windows.get(i - 1)[1], windows.get(i)[0], "window " + i);
      assertEquals(EndpointScheduler.SLOT, Duration.between(windows.get(i)[0], windows.get(i)[1]));
    }
  }

  static final class MutableClock extends Clock {
    Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
