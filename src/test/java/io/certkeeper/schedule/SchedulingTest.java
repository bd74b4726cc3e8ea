package io.certkeeper.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.store.Store;
import io.certkeeper.testing.StoreBackend;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.SchedulerRepository;

/**
 * The daemon's Quartz (JobStoreTX, clustered) on each engine: jobs are stored in the database and
 * fire, and several schedulers starting at once on a new store, as daemons of a fleet do, neither
 * fail nor run a job twice.
 */
class SchedulingTest {
  private static final Duration FIRE_DEADLINE = Duration.ofSeconds(90);
  /** How often each job of this JVM ran, by job name. */
  private static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();
  private static final AtomicInteger TESTS = new AtomicInteger();

  @TempDir Path dir;

  /** Counts its runs under its job's name. */
  public static final class CountingJob implements Job {
    @Override
    public void execute(JobExecutionContext context) {
      RUNS.computeIfAbsent(context.getJobDetail().getKey().getName(), k -> new AtomicInteger()).incrementAndGet();
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void theMigrationCreatesQuartzsLockRows(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      Set<String> locks = new TreeSet<>();
      try (Connection c = store.dataSource().getConnection();
          ResultSet rs = c.createStatement().executeQuery(
              "SELECT LOCK_NAME FROM QRTZ_LOCKS WHERE SCHED_NAME = 'certkeeper'")) {
        while (rs.next()) {
          locks.add(rs.getString(1));
        }
      }
      assertEquals(Set.of("STATE_ACCESS", "TRIGGER_ACCESS"), locks);
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void aStoreWhoseLockRowsQuartzInsertedAlreadyUpgradesToo(StoreBackend backend) throws Exception {
    StoreBackend.Location location = backend.fresh(dir);
    try (Store store = location.open()) {
      // a store of schema 8, used by a daemon: Quartz has inserted its lock rows itself
      try (Connection c = store.dataSource().getConnection()) {
        c.createStatement().executeUpdate("DELETE FROM \"flyway_schema_history\" WHERE \"version\" = '9'");
      }
    }
    try (Store store = location.open()) {
      assertEquals(Store.SCHEMA_VERSION, store.schemaVersion());
      try (Connection c = store.dataSource().getConnection();
          ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM QRTZ_LOCKS")) {
        rs.next();
        assertEquals(2, rs.getInt(1));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void aJobIsStoredInTheDatabaseSurvivesANewSchedulerAndFires(StoreBackend backend) throws Exception {
    String name = "stored-" + TESTS.incrementAndGet();
    try (Store store = backend.open(dir)) {
      Scheduling first = Scheduling.create(store, 1);
      Trigger later = TriggerBuilder.newTrigger().withIdentity(name)
          .startAt(java.util.Date.from(java.time.Instant.now().plus(Duration.ofDays(1)))).build();
      first.scheduler().scheduleJob(JobBuilder.newJob(CountingJob.class).withIdentity(name).build(), later);
      first.close();

      Scheduling second = Scheduling.create(store, 1);
      try {
        assertTrue(second.scheduler().checkExists(JobKey.jobKey(name)), "the job is in the database");
        assertEquals(later.getStartTime(), second.scheduler().getTrigger(TriggerKey.triggerKey(name)).getNextFireTime());
        second.start();
        second.scheduler().rescheduleJob(TriggerKey.triggerKey(name),
            TriggerBuilder.newTrigger().withIdentity(name).forJob(name).startNow()
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow()).build());
        awaitRuns(List.of(name));
      } finally {
        second.close();
      }
      assertEquals(1, RUNS.get(name).get());
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void schedulersStartingAtOnceOnANewStoreScheduleAndRunEachJobOnce(StoreBackend backend) throws Exception {
    String prefix = "fleet-" + TESTS.incrementAndGet() + "-";
    int schedulers = 2;
    int jobsEach = 6;
    try (Store store = backend.fresh(dir).open(10)) {
      // Two daemons of a fleet: one scheduler name, two instances. Quartz keeps one scheduler per
      // name in a JVM, so the first is taken out of its registry before the second is made, and the
      // second waits for the clock to move on (AUTO instance ids are host name + milliseconds).
      List<Scheduling> fleet = new ArrayList<>();
      for (int i = 0; i < schedulers; i++) {
        long t = System.currentTimeMillis();
        while (System.currentTimeMillis() == t) {
          Thread.onSpinWait();
        }
        Scheduling s = Scheduling.create(store, 2);
        SchedulerRepository.getInstance().remove(s.scheduler().getSchedulerName());
        fleet.add(s);
      }
      ExecutorService pool = Executors.newFixedThreadPool(schedulers * (jobsEach + 1));
      List<String> names = new ArrayList<>();
      try {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> work = new ArrayList<>();
        for (int i = 0; i < schedulers; i++) {
          Scheduling s = fleet.get(i);
          work.add(pool.submit(() -> {
            go.await();
            s.start();
            return null;
          }));
          for (int j = 0; j < jobsEach; j++) {
            String name = prefix + i + "-" + j;
            names.add(name);
            work.add(pool.submit(() -> {
              go.await();
              s.scheduler().scheduleJob(JobBuilder.newJob(CountingJob.class).withIdentity(name).build(),
                  TriggerBuilder.newTrigger().withIdentity(name).startNow().build());
              return null;
            }));
          }
        }
        go.countDown();
        for (Future<?> f : work) {
          f.get(FIRE_DEADLINE.toSeconds(), TimeUnit.SECONDS); // none fails
        }
        awaitRuns(names);
      } finally {
        pool.shutdownNow();
        for (Scheduling s : fleet) {
          s.close();
        }
      }
      Map<String, Integer> runs = new TreeMap<>();
      for (String n : names) {
        runs.put(n, RUNS.get(n).get());
      }
      assertTrue(runs.values().stream().allMatch(n -> n == 1), "each job once: " + runs);
    }
  }

  private static void awaitRuns(List<String> names) throws InterruptedException {
    long deadline = System.nanoTime() + FIRE_DEADLINE.toNanos();
    while (!names.stream().allMatch(n -> RUNS.containsKey(n))) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not run within " + FIRE_DEADLINE.toSeconds() + " s: "
            + names.stream().filter(n -> !RUNS.containsKey(n)).toList());
      }
      Thread.sleep(50);
    }
  }
}
