package io.certkeeper.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.certkeeper.config.AlertsConfig;
import io.certkeeper.util.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExpiryPolicyTest {
  static final Instant NOT_AFTER = Instant.parse("2026-03-01T00:00:00Z");
  static final List<Duration> DEFAULTS = AlertsConfig.DEFAULT_THRESHOLDS;

  private static Set<String> set(String s) {
    return s.isBlank() ? Set.of() : Arrays.stream(s.split(";")).collect(Collectors.toSet());
  }

  @ParameterizedTest(name = "{0} left, recorded [{1}] -> fire {2}, suppress [{3}]")
  @CsvSource(delimiter = '|', value = {
    // time left | recorded          | fire    | suppressed
    "40d         |                   |         | ",
    "30d         |                   | 30d     | ",
    "29d         | 30d               |         | ",
    "14d         | 30d               | 14d     | ",
    "13d         | 30d               | 14d     | ",
    "2d          | 30d;14d           | 3d      | 7d",
    "2d          |                   | 3d      | 7d;14d;30d",
    "1h          | 30d;14d;7d;3d;1d  |         | ",
    "-1s         | 30d;14d;7d;3d;1d  | expired | ",
    "-20d        |                   | expired | 1d;3d;7d;14d;30d",
    "-20d        | expired           |         | 1d;3d;7d;14d;30d",
    "5d          | 3d                |         | 7d;14d;30d",
  })
  void oneAlertPerCrossingAndOnlyTheMostSevereAfterAGap(String left, String recorded, String fire, String suppressed) {
    Duration remaining = left.startsWith("-") ? Durations.parse(left.substring(1)).negated() : Durations.parse(left);
    Instant now = NOT_AFTER.minus(remaining);
    ExpiryPolicy.Decision d = ExpiryPolicy.decide(NOT_AFTER, now, DEFAULTS, set(recorded == null ? "" : recorded));
    assertEquals(Optional.ofNullable(fire), d.fire());
    assertEquals(set(suppressed == null ? "" : suppressed), Set.copyOf(d.suppress()));
  }

  @ParameterizedTest(name = "{0} with critical {1} is {2}")
  @CsvSource({"30d, 7d, WARNING", "7d, 7d, CRITICAL", "3d, 7d, CRITICAL", "14d, 14d, CRITICAL", "expired, 1d, CRITICAL"})
  void severityFollowsTheEndpointsCriticalWindow(String label, String critical, Severity expected) {
    assertEquals(expected, ExpiryPolicy.severity(label, Durations.parse(critical)));
  }

  @ParameterizedTest(name = "{0} left reads \"{1}\"")
  @CsvSource({
    "PT72H, expires in 3 days",
    "PT25H, expires in 1 day",
    "PT5H, expires in 5 hours",
    "PT30M, expires in 30 minutes",
    "-PT2H, expired 2 hours ago",
    "-PT48H, expired 2 days ago",
  })
  void remainingTimeInWords(Duration left, String words) {
    assertEquals(words, ExpiryPolicy.remaining(NOT_AFTER, NOT_AFTER.minus(left)));
  }
}
