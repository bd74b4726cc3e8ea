package io.certkeeper.renew;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The verdict on one look at a listener: stale only once its grace is over. */
@Tag("reliability")
class ListenerCheckTest {
  static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
  static final String NEW = "aa".repeat(32);

  @ParameterizedTest(name = "running={0} served={1} after {2} ms -> {3}")
  @CsvSource({
      // not running in this process (not started yet, or the CLI): never judged
      "false, ,                                                                  0,     NOT_RUNNING",
      "false, ,                                                                  60000, NOT_RUNNING",
      // serves the new certificate: fine, whenever
      "true,  aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, 0,     SERVES",
      "true,  aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, 60000, SERVES",
      // still the old one, or the check connection failed: wait within the grace, stale after it
      "true,  bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb, 0,     WAIT",
      "true,  bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb, 4999,  WAIT",
      "true,  bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb, 5000,  STALE",
      "true,  ,                                                                  4999,  WAIT",
      "true,  ,                                                                  5000,  STALE",
  })
  void aListenerIsStaleOnlyAfterItsGrace(boolean running, String served, long afterMillis,
      ListenerCheck.Verdict expected) {
    Instant deadline = START.plus(ListenerCheck.GRACE);
    assertEquals(expected, ListenerCheck.judge(running, Optional.ofNullable(served), NEW,
        START.plusMillis(afterMillis), deadline));
  }
}
