package io.certkeeper.schedule;

import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * What the jobs call, handed to Quartz through its scheduler context (jobs are created by Quartz
 * and cannot take constructor arguments). Each job calls exactly one of these.
 *
 * @param slots dispatches the endpoint probes due in a slot
 * @param coverage up to when slots have been dispatched, shared by the nodes on the store
 * @param housekeeping prunes old probe results
 * @param alertEvaluation evaluates alert conditions, when that service is configured
 * @param stopping whether the daemon is stopping: a job that sees it does not start its work
 *     (jobs are never interrupted)
 */
public record Services(ProbeSlots slots, SlotCoverage coverage, Task housekeeping,
    Optional<Task> alertEvaluation, BooleanSupplier stopping) {
  /** The scheduler-context key under which the daemon puts the services. */
  public static final String CONTEXT_KEY = "certkeeper.services";

  public Services {
    Objects.requireNonNull(slots, "slots");
    Objects.requireNonNull(coverage, "coverage");
    Objects.requireNonNull(housekeeping, "housekeeping");
    Objects.requireNonNull(stopping, "stopping");
  }

  /** Services that never stop (tests, one-shot use). */
  public Services(ProbeSlots slots, SlotCoverage coverage, Task housekeeping, Optional<Task> alertEvaluation) {
    this(slots, coverage, housekeeping, alertEvaluation, () -> false);
  }

  /** One run of a periodic service. */
  @FunctionalInterface
  public interface Task {
    void run() throws Exception;
  }
}
