package io.certkeeper.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.certkeeper.config.AlertsConfig;
import io.certkeeper.config.DigestMode;
import io.certkeeper.util.Coded;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeliveryPolicyTest {
  @ParameterizedTest(name = "attempt {0} waits {1}")
  @CsvSource({"0, PT1M", "1, PT1M", "2, PT2M", "3, PT4M", "6, PT32M", "7, PT1H", "30, PT1H", "1000, PT1H"})
  void backoffDoublesAndIsCappedAtAnHour(int attempts, Duration expected) {
    assertEquals(expected, DeliveryBackoff.delay(attempts));
  }

  @ParameterizedTest(name = "{0} created {1} is due {2}")
  @CsvSource({
    "none, 2026-01-01T10:17:00Z, 2026-01-01T10:17:00Z",
    "1h, 2026-01-01T10:17:00Z, 2026-01-01T11:00:00Z",
    "1h, 2026-01-01T10:00:00Z, 2026-01-01T11:00:00Z",
    "daily, 2026-01-01T10:17:00Z, 2026-01-02T00:00:00Z",
    "daily, 2026-01-01T23:59:59Z, 2026-01-02T00:00:00Z",
  })
  void digestDeliveriesAreDueAtTheEndOfTheirWindow(String mode, Instant created, Instant due) {
    assertEquals(due, DigestWindow.due(Coded.find(DigestMode.class, mode).orElseThrow(), created));
  }

  @ParameterizedTest(name = "owners [{0}], {1} -> [{2}]")
  @CsvSource(delimiter = '|', value = {
    "                   | INFO     | ops@x.io",
    "web@x.io           | INFO     | web@x.io",
    "web@x.io           | WARNING  | web@x.io;lead@x.io",
    "web@x.io           | CRITICAL | web@x.io;lead@x.io;pager@x.io",
    "                   | CRITICAL | ops@x.io;lead@x.io;pager@x.io",
    "PAGER@x.io         | CRITICAL | PAGER@x.io;lead@x.io",
  })
  void routingAddsRoutesBySeverityToOwnersOrTheDefault(String owners, Severity severity, String expected) {
    AlertsConfig cfg = new AlertsConfig(List.of("ops@x.io"), AlertsConfig.DEFAULT_THRESHOLDS, 3,
        List.of(new AlertsConfig.Route("warning", List.of("lead@x.io")),
            new AlertsConfig.Route("critical", List.of("pager@x.io"))),
        Map.of("lead@x.io", DigestMode.DAILY));
    List<String> own = owners == null ? List.of() : Arrays.asList(owners.split(";"));
    List<Routing.Recipient> r = Routing.recipients(own, severity, cfg);
    assertEquals(expected, r.stream().map(Routing.Recipient::address).collect(Collectors.joining(";")));
    r.stream().filter(x -> x.address().equals("lead@x.io")).forEach(x -> assertEquals(DigestMode.DAILY, x.digest()));
  }
}
