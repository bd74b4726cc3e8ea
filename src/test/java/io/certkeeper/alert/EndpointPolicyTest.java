package io.certkeeper.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointPolicyTest {
  private static List<String> list(String s) {
    return s == null || s.isBlank() ? List.of() : Arrays.asList(s.split(";"));
  }

  @ParameterizedTest(name = "alerted [{0}] failing={1}, probe [{2}] failures={3} -> {4} {5}")
  @CsvSource(delimiter = '|', value = {
    // alerted            | failing | problems                          | failures | kind     | detail
    "                     | false   |                                   | 0        |          | ",
    "                     | false   | untrusted_root                    | 0        | PROBLEM  | e0:untrusted_root",
    "untrusted_root       | false   | untrusted_root                    | 0        |          | ",
    "untrusted_root       | false   | hostname_mismatch;untrusted_root  | 0        | PROBLEM  | e0:hostname_mismatch",
    "                     | false   | expiring                          | 0        |          | ",
    "                     | false   | expired                           | 0        |          | ",
    "untrusted_root       | false   |                                   | 0        | RESOLVED | e0",
    "untrusted_root       | false   | expiring                          | 0        | RESOLVED | e0",
    "                     | false   | refused                           | 1        |          | ",
    "                     | false   | refused                           | 2        |          | ",
    "                     | false   | refused                           | 3        | FAILING  | e0",
    "                     | true    | refused                           | 9        |          | ",
    "                     | true    |                                   | 0        | RESOLVED | e0",
    "                     | true    | untrusted_root                    | 0        | PROBLEM  | e0:untrusted_root",
  })
  void decidesProblemFailingAndResolved(String alerted, boolean failing, String problems, int failures, String kind,
      String detail) {
    EndpointPolicy.Memory m = new EndpointPolicy.Memory(0, Set.copyOf(list(alerted)), failing, 0);
    EndpointPolicy.Outcome o = EndpointPolicy.decide(m, list(problems), failures, 3);
    assertEquals(kind == null ? "" : kind, o.alert().map(p -> p.kind().name()).orElse(""));
    assertEquals(detail == null ? "" : detail, o.alert().map(EndpointPolicy.Planned::detail).orElse(""));
  }

  @Test
  void anEpisodeEndsWithResolvedAndTheSameProblemAlertsAgainAfterIt() {
    EndpointPolicy.Memory m = EndpointPolicy.Memory.fresh(0);
    EndpointPolicy.Outcome first = EndpointPolicy.decide(m, List.of("untrusted_root"), 0, 3);
    EndpointPolicy.Outcome resolved = EndpointPolicy.decide(first.next(), List.of(), 0, 3);
    assertEquals(AlertKind.RESOLVED, resolved.alert().get().kind());
    assertEquals(1, resolved.next().episode());
    assertTrue(resolved.next().alertedProblems().isEmpty());
    EndpointPolicy.Outcome again = EndpointPolicy.decide(resolved.next(), List.of("untrusted_root"), 0, 3);
    assertEquals("e1:untrusted_root", again.alert().get().detail());
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"weak_cipher, WARNING", "weak_cipher;weak_key, WARNING", "weak_cipher;untrusted_root, CRITICAL",
      "hostname_mismatch, CRITICAL"})
  void weaknessesWarnEverythingElseIsCritical(String problems, Severity expected) {
    EndpointPolicy.Outcome o = EndpointPolicy.decide(EndpointPolicy.Memory.fresh(0), list(problems), 0, 3);
    assertEquals(expected, o.alert().get().severity());
  }
}
