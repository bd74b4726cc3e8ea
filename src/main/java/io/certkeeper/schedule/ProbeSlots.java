package io.certkeeper.schedule;

import java.time.Instant;

/**
 * What a probe slot calls: dispatches the probes of a partition's endpoints due in
 * {@code [from, to)}, returns their number.
 */
@FunctionalInterface
public interface ProbeSlots {
  int run(int partition, Instant from, Instant to);
}
