package io.certkeeper.schedule;

import java.time.Instant;

/**
 * One job in the job store, as {@code certkeeper schedule} lists it.
 *
 * @param kind {@code probe} or {@code periodic}
 * @param name the endpoint id for probes; the service name for periodic jobs
 * @param schedule {@code every 5m} or {@code cron ...}
 * @param state Quartz's trigger state in lower case: {@code normal}, {@code paused}, {@code blocked},
 *     {@code error}, ...
 */
public record ScheduledJob(String kind, String name, String schedule, Instant nextRun, Instant previousRun, String state) {}
