package io.certkeeper.schedule;

import io.certkeeper.store.JobStoreConnections;
import io.certkeeper.store.Store;
import java.util.Objects;
import java.util.Properties;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.impl.StdSchedulerFactory;

/**
 * The Quartz scheduler of the daemon: its JDBC job store (JobStoreTX) lives in the same database
 * and connection pool as the store, so schedules and misfires survive restarts and a kill.
 */
public final class Scheduling implements AutoCloseable {
  /** The scheduler's name: {@code SCHED_NAME} in Quartz's tables. */
  public static final String NAME = "certkeeper";

  /** Default worker threads: jobs are thin, the prober bounds its own concurrency. */
  public static final int DEFAULT_THREADS = 4;

  private final Scheduler scheduler;
  private final String dataSourceName;

  private Scheduling(Scheduler scheduler, String dataSourceName) {
    this.scheduler = scheduler;
    this.dataSourceName = dataSourceName;
  }

  /** How often each node checks in with the cluster (Quartz's {@code clusterCheckinInterval}). */
  public static final java.time.Duration CHECKIN_INTERVAL = java.time.Duration.ofMillis(7_500);

  /**
   * Creates (but does not start) a scheduler over {@code store}.
   *
   * @param threads worker threads
   */
  public static Scheduling create(Store store, int threads) throws SchedulerException {
    Objects.requireNonNull(store, "store");
    String dsName = JobStoreConnections.register(store);
    Properties p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceName", NAME);
    p.setProperty("org.quartz.scheduler.instanceId", "AUTO");
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
    p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
    p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(threads));
    p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
    // A stop never interrupts a job: a thread interrupted inside JDBC can break the store's
    // connection. Jobs are short or look at Services.stopping() instead.
    p.setProperty("org.quartz.scheduler.interruptJobsOnShutdown", "false");
    p.setProperty("org.quartz.scheduler.interruptJobsOnShutdownWithWait", "false");
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    p.setProperty("org.quartz.jobStore.driverDelegateClass",
        store.engine() == Store.Engine.POSTGRESQL
            ? "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate"
            : "org.quartz.impl.jdbcjobstore.StdJDBCDelegate");
    p.setProperty("org.quartz.jobStore.dataSource", dsName);
    p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
    p.setProperty("org.quartz.jobStore.isClustered", "true");
    // Quartz takes a node for dead at its last check-in + this + 7.5 s: at most 22.5 s, so that a fleet
    // takes over the work of a node killed outright within 30 s.
    p.setProperty("org.quartz.jobStore.clusterCheckinInterval", Long.toString(CHECKIN_INTERVAL.toMillis()));
    p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
    StdSchedulerFactory factory = new StdSchedulerFactory(p);
    return new Scheduling(factory.getScheduler(), dsName);
  }

  /** The Quartz scheduler, for registering jobs. */
  public Scheduler scheduler() {
    return scheduler;
  }

  public void start() throws SchedulerException {
    scheduler.start();
  }

  /** Whether the scheduler has started and is not shut down. */
  public boolean isRunning() {
    try {
      return scheduler.isStarted() && !scheduler.isShutdown() && !scheduler.isInStandbyMode();
    } catch (SchedulerException e) {
      return false;
    }
  }

  /** Stops firing new jobs; jobs already running go on. The first step of a stop. */
  public void standby() throws SchedulerException {
    if (!scheduler.isShutdown()) {
      scheduler.standby();
    }
  }

  /** How many jobs are running now. */
  public int running() {
    try {
      return scheduler.getCurrentlyExecutingJobs().size();
    } catch (SchedulerException e) {
      return 0;
    }
  }

  /**
   * Stops firing new jobs and waits for running ones to finish, without interrupting them. Quartz
   * interrupts its own trigger, misfire and cluster threads here, possibly inside JDBC; the
   * embedded store's file system survives that (see {@code Store.h2Url}).
   */
  @Override
  public void close() throws SchedulerException {
    try {
      scheduler.standby();
      scheduler.shutdown(true);
    } finally {
      JobStoreConnections.unregister(dataSourceName);
    }
  }
}
