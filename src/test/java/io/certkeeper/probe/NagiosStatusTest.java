package io.certkeeper.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NagiosStatusTest {
  private static final ExpiryThresholds THRESHOLDS =
      new ExpiryThresholds(Duration.ofDays(30), Duration.ofDays(7));

  @ParameterizedTest(name = "[{0}] with {1} days left -> {2}")
  @CsvSource({
      "'',                       42, OK",
      "expiring,                 20, WARNING",
      "expiring,                  8, WARNING",
      "expiring,                  7, CRITICAL",
      "expiring,                  0, CRITICAL",
      "expiring weak_cipher,     20, CRITICAL",
      "weak_protocol,            90, CRITICAL",
      "hostname_mismatch,        90, CRITICAL",
      "timeout,                  -1, CRITICAL",
      "client_cert_required,     90, CRITICAL",
  })
  void mapsProblemsToNagiosExitCodes(String codes, long daysLeft, NagiosStatus expected) {
    List<ProbeProblem> problems = codes.isBlank() ? List.of()
        : Arrays.stream(codes.split(" ")).map(ProbeProblem::ofCode).toList();
    assertEquals(expected, NagiosStatus.of(problems, daysLeft, THRESHOLDS));
  }

  @ParameterizedTest
  @CsvSource({"OK, 0", "WARNING, 1", "CRITICAL, 2", "UNKNOWN, 3"})
  void exitCodesFollowThePluginConvention(NagiosStatus status, int code) {
    assertEquals(code, status.exitCode());
  }
}
