package io.certkeeper.schedule;

import java.time.Instant;
import java.util.Optional;

/**
 * Up to when the probe slots have been dispatched, shared by every node on the store: a firing
 * reads it, computes its window from it ({@link ProbeSlotJob#window}) and claims that window by
 * moving it forward, which succeeds on one node only.
 */
public interface SlotCoverage {
  /** Up to when the slots of {@code partition} have been dispatched; empty before the first claim. */
  Optional<Instant> coveredUntil(int partition) throws Exception;

  /**
   * Moves the coverage of {@code partition} from {@code expected} to {@code to}.
   *
   * @return false when another node moved it first (this firing then dispatches nothing of it)
   */
  boolean advance(int partition, Optional<Instant> expected, Instant to) throws Exception;
}
