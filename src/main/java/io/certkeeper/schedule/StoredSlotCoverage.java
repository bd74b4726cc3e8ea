package io.certkeeper.schedule;

import io.certkeeper.store.ProbeSlotRepository;
import io.certkeeper.store.StoreException;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** {@link SlotCoverage} in the store's {@code probe_slots} rows of the slot jobs, claimed in a node's name. */
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
  public Optional<Instant> coveredUntil(int partition) throws StoreException {
    return repo.coveredUntil(EndpointScheduler.slotJob(partition));
  }

  @Override
  public boolean advance(int partition, Optional<Instant> expected, Instant to) throws StoreException {
    return repo.advance(EndpointScheduler.slotJob(partition), expected, to, node, clock.instant());
  }

  /**
   * At this node's start: restarts the coverage at now when no node has dispatched for
   * {@link EndpointScheduler#MAX_GAP}, else keeps the other nodes' coverage.
   *
   * @return from when the slots of every partition cover (the earliest partition's coverage)
   */
  public Instant restart() throws StoreException {
    Instant now = clock.instant();
    Instant from = null;
    for (int k = 0; k < EndpointScheduler.PARTITIONS; k++) {
      Instant f = repo.restart(EndpointScheduler.slotJob(k), now, EndpointScheduler.MAX_GAP, node);
      from = from == null || f.isBefore(from) ? f : from;
    }
    return from;
  }
}
