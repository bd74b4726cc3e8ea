package io.certkeeper.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
  @ParameterizedTest
  @CsvSource({
    "30d, PT720H",
    "12h, PT12H",
    "90s, PT1M30S",
    "1h30m, PT1H30M",
    "250ms, PT0.25S",
    "2w, PT336H",
    "10y, PT87600H",
    "' 5m ', PT5M",
  })
  void parses(String text, Duration expected) {
    assertEquals(expected, Durations.parse(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "30", "d", "30 days", "-5m", "1.5h", "5m3", "m5"})
  void rejectsWithTheText(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
    assertEquals(true, e.getMessage().contains("duration"), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({"PT720H, 30d", "PT1H30M, 1h30m", "PT0S, 0s", "PT0.25S, 250ms", "PT25H, 1d1h"})
  void formatsAndRoundTrips(Duration d, String text) {
    assertEquals(text, Durations.format(d));
    assertEquals(d, Durations.parse(text));
  }
}
