package io.certkeeper.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HumanTimeTest {
  @ParameterizedTest
  @CsvSource({
    "PT2H14M33.120S, 2h 14m",
    "PT5M3.5S, 5m 3s",
    "PT45.999S, 45s",
    "PT0.250S, 0s",
    "PT0S, 0s",
    "PT27H, 1d 3h",
    "PT2H0M5S, 2h",
    "PT720H, 30d",
    "-PT1H30M, -1h 30m",
  })
  void durationShowsTheTwoLargestUnitsAndNoMilliseconds(Duration d, String text) {
    assertEquals(text, HumanTime.duration(d));
  }

  @ParameterizedTest
  @CsvSource({
    "2027-01-22T13:02:11.987Z, 2027-01-22T13:02:11Z",
    "2027-01-22T13:02:11Z, 2027-01-22T13:02:11Z",
  })
  void instantIsAtWholeSeconds(Instant t, String text) {
    assertEquals(text, HumanTime.instant(t));
  }
}
