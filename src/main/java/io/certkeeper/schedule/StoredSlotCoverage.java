package io.certkeeper.schedule;

import io.certkeeper.store.ProbeSlotRepository;
import io.certkeeper.store.StoreException;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** {@link SlotCoverage} in the store's {@code probe_slots} row of the slot job, claimed in a node's name. */
public final class StoredSlotCoverage implements SlotCoverage {
  private final ProbeSlotRepository repo;
  private final String node;
  private final Clock clock;

  public StoredSlotCoverage(ProbeSlotRepository repo, String node, Clock clock) {
    this.repo = Objects.requireNonNull(repo, "repo");
    this.node = Objects.requireNonNull(node, "node");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Optional<Instant> coveredUntil() throws StoreException {
    return repo.coveredUntil(EndpointScheduler.SLOT_JOB);
  }

  @Override
  public boolean advance(Optional<Instant> expected, Instant to) throws StoreException {
    return repo.advance(EndpointScheduler.SLOT_JOB, expected, to, node, clock.instant());
  }

  /**
   * At this node's start: restarts the coverage at now when no node has dispatched for
   * {@link EndpointScheduler#MAX_GAP}, else keeps the other nodes' coverage.
   *
   * @return from when the slots cover
   */
  public Instant restart() throws StoreException {
    return repo.restart(EndpointScheduler.SLOT_JOB, clock.instant(), EndpointScheduler.MAX_GAP, node);
  }
}
