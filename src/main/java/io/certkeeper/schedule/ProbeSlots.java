package io.certkeeper.schedule;

import java.time.Instant;

/** What a probe slot calls: dispatches the probes due in {@code [from, to)}, returns their number. */
@FunctionalInterface
public interface ProbeSlots {
  int run(Instant from, Instant to);
}
