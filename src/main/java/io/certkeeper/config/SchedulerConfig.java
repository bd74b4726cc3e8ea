package io.certkeeper.config;

import java.time.Duration;

/**
 * {@code scheduler:} — how the daemon runs its jobs.
 *
 * @param threads Quartz worker threads; jobs only hand work to the services, so few are needed
 * @param probeConcurrency probes in flight at once across all endpoints (the prober's bound)
 * @param catchUpRate after a start, at most this many probes a second for endpoints that missed
 *     their schedule, on top of the regular ones
 * @param retention probe results older than this are pruned (change events and certificates stay)
 * @param renewalCheck how often due renewals are looked for
 * @param alertEvaluation how often alert conditions are evaluated
 */
public record SchedulerConfig(int threads, int probeConcurrency, int catchUpRate, Duration retention, Duration renewalCheck,
    Duration alertEvaluation) {
  public static final int DEFAULT_THREADS = 4;
  public static final int DEFAULT_PROBE_CONCURRENCY = 64;
  public static final int DEFAULT_CATCH_UP_RATE = 100;
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(90);
  public static final Duration DEFAULT_RENEWAL_CHECK = Duration.ofMinutes(10);
  public static final Duration DEFAULT_ALERT_EVALUATION = Duration.ofMinutes(1);

  static SchedulerConfig read(ConfigNode n) throws ConfigException {
    n.allowOnly("threads", "probe-concurrency", "catch-up-rate", "retention", "renewal-check", "alert-evaluation");
    return new SchedulerConfig(
        n.integer("threads", 1, 64, DEFAULT_THREADS),
        n.integer("probe-concurrency", 1, 10_000, DEFAULT_PROBE_CONCURRENCY),
        n.integer("catch-up-rate", 1, 100_000, DEFAULT_CATCH_UP_RATE),
        positive(n, "retention", DEFAULT_RETENTION),
        positive(n, "renewal-check", DEFAULT_RENEWAL_CHECK),
        positive(n, "alert-evaluation", DEFAULT_ALERT_EVALUATION));
  }

  private static Duration positive(ConfigNode n, String key, Duration def) throws ConfigException {
    Duration d = n.duration(key, def);
    if (d.compareTo(Duration.ofSeconds(1)) < 0) {
      throw n.require(key).error("must be at least 1s");
    }
    return d;
  }

  public static SchedulerConfig defaults() {
    return new SchedulerConfig(DEFAULT_THREADS, DEFAULT_PROBE_CONCURRENCY, DEFAULT_CATCH_UP_RATE, DEFAULT_RETENTION,
        DEFAULT_RENEWAL_CHECK, DEFAULT_ALERT_EVALUATION);
  }
}
