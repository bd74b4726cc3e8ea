package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.store.ProbeRecord;
import io.certkeeper.store.ProbeResultRepository;
import io.certkeeper.store.Store;
import io.certkeeper.testing.TestClock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How {@code status} words endpoints for people: counts by status, days left or ago. */
class StatusTextTest {
  @TempDir Path dir;

  @AfterEach
  void closeStores() throws Exception {
    InProcessStores.shutDownAll(dir);
  }

  @ParameterizedTest
  @CsvSource({"12, 12 days left", "1, 1 day left", "0, 0 days left", "-1, expired 1 day ago",
      "-303, expired 303 days ago"})
  void daysLeftNeverReadsNegative(long days, String text) {
    assertEquals(text, StatusCommand.daysLeft(days));
  }

  @Test
  void endpointCountsReadAsWordsNotAMap() throws Exception {
    TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
    Path data = dir.resolve("data");
    String[] base = {"--data-dir", data.toString()};
    for (String target : List.of("a.example:443", "b.example:443", "c.example:443")) {
      assertEquals(0, CliRunner.run(Map.of(), clock, base[0], base[1], "endpoint", "add", target).exitCode());
    }
    try (Store store = Store.openEmbedded(data, 2)) {
      ProbeResultRepository results = new ProbeResultRepository(store);
      for (String id : List.of("a.example:443", "b.example:443")) {
        results.record(new ProbeRecord(id, clock.instant(), "refused", List.of("refused"), id + ": refused",
            Optional.empty(), Optional.empty(), Optional.empty(), List.of(), false, Optional.empty(), "none",
            Optional.empty(), Optional.empty(), 1));
      }
    }
    CliRunner.Run r = CliRunner.run(Map.of(), clock, base[0], base[1], "status");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("endpoints:    3 (1 pending, 2 refused)\n"), r.out());
  }
}
