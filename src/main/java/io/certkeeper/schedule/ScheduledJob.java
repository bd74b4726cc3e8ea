package io.certkeeper.schedule;

import java.time.Instant;

/**
 * One line of {@code certkeeper schedule}: a periodic job from the job store, or an endpoint's
 * next probe computed from its schedule.
 *
 * @param kind {@code probe} or {@code periodic}
 * @param name the endpoint id for probes; the service name for periodic jobs
 * @param schedule {@code every 5m} or {@code cron ...}
 * @param previousRun the last firing of a periodic job; null for probes
 * @param state Quartz's trigger state in lower case: {@code normal}, {@code paused}, {@code blocked},
 *     {@code error}, ...; always {@code normal} for probes
 */
public record ScheduledJob(String kind, String name, String schedule, Instant nextRun, Instant previousRun, String state) {}
