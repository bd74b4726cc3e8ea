package io.certkeeper.config;

import io.certkeeper.util.Durations;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * When an endpoint is probed: every fixed interval ({@code every: 5m}) or on a Quartz cron
 * expression ({@code cron: "0 *&#47;10 * * * ?"}). Exactly one of the two is set.
 */
public record ProbeSchedule(Optional<Duration> every, Optional<String> cron) {
  /** Probe every five minutes unless told otherwise. */
  public static final Duration DEFAULT_EVERY = Duration.ofMinutes(5);
  /** Shorter intervals would turn the prober into a load generator. */
  public static final Duration MIN_EVERY = Duration.ofSeconds(1);

  public ProbeSchedule {
    Objects.requireNonNull(every, "every");
    Objects.requireNonNull(cron, "cron");
    if (every.isPresent() == cron.isPresent()) {
      throw new IllegalArgumentException("give either every or cron, not both");
    }
    if (every.isPresent() && every.get().compareTo(MIN_EVERY) < 0) {
      throw new IllegalArgumentException("every must be at least 1s, got " + Durations.format(every.get()));
    }
    if (cron.isPresent() && !org.quartz.CronExpression.isValidExpression(cron.get())) {
      throw new IllegalArgumentException("not a valid Quartz cron expression: '" + cron.get()
          + "' (six or seven fields: seconds minutes hours day-of-month month day-of-week [year], e.g. \"0 */10 * * * ?\")");
    }
  }

  public static ProbeSchedule every(Duration d) {
    return new ProbeSchedule(Optional.of(d), Optional.empty());
  }

  public static ProbeSchedule cron(String expression) {
    return new ProbeSchedule(Optional.empty(), Optional.of(expression));
  }

  /** Which of the two is set. */
  public ScheduleKind kind() {
    return every.isPresent() ? ScheduleKind.EVERY : ScheduleKind.CRON;
  }

  /** {@code every 5m} or {@code cron 0 *&#47;10 * * * ?}. */
  @Override
  public String toString() {
    return switch (kind()) {
      case EVERY -> ScheduleKind.EVERY.code() + " " + Durations.format(every.get());
      case CRON -> ScheduleKind.CRON.code() + " " + cron.get();
    };
  }
}
