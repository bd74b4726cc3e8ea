package io.certkeeper.config;

import io.certkeeper.util.Coded;

/** How a {@link ProbeSchedule} is given: a fixed interval or a Quartz cron expression. */
public enum ScheduleKind implements Coded {
  /** {@code every: 5m}. */
  EVERY("every"),
  /** {@code cron: "0 *&#47;10 * * * ?"}. */
  CRON("cron");

  private final String code;

  ScheduleKind(String code) {
    this.code = code;
  }

  /** The configuration key that gives it. */
  @Override
  public String code() {
    return code;
  }

  /** The code, as the configuration writes it. */
  @Override
  public String toString() {
    return code;
  }
}
