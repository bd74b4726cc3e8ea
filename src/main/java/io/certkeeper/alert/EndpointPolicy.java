package io.certkeeper.alert;

import io.certkeeper.store.ManagedRenewal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Probe trouble on one endpoint: a problem code it did not have, several failed probes in a row,
 * and recovery. An episode begins with the first alert and ends with "resolved"; within an episode
 * each problem code is alerted once, and failing once, so a flapping endpoint does not mail on
 * every probe.
 */
final class EndpointPolicy {
  /** Codes about expiry: the thresholds and renewal alerts handle those, not problem alerts. */
  static final Set<String> EXPIRY_CODES = Set.of("expired", "expiring", ManagedRenewal.OVERDUE);

  private EndpointPolicy() {}

  /**
   * What has been alerted for an endpoint.
   *
   * @param episode counts the "resolved" alerts; part of every problem/failing/resolved key
   * @param alertedProblems problem codes alerted in this episode
   * @param failingAlerted whether "failing" was alerted in this episode
   * @param lastChangeId the newest endpoint change looked at
   */
  record Memory(int episode, Set<String> alertedProblems, boolean failingAlerted, long lastChangeId) {
    Memory {
      alertedProblems = Set.copyOf(alertedProblems);
    }

    static Memory fresh(long lastChangeId) {
      return new Memory(0, Set.of(), false, lastChangeId);
    }

    boolean inEpisode() {
      return failingAlerted || !alertedProblems.isEmpty();
    }
  }

  /** An alert to record: kind, its detail (unique within the endpoint), severity, and the codes concerned. */
  record Planned(AlertKind kind, String detail, Severity severity, List<String> codes) {}

  record Outcome(Optional<Planned> alert, Memory next) {}

  /**
   * @param problems the codes of the latest probe
   * @param consecutiveFailures probes in a row that obtained no certificate
   */
  static Outcome decide(Memory m, List<String> problems, int consecutiveFailures, int failingAfter) {
    if (consecutiveFailures > 0) {
      if (consecutiveFailures >= failingAfter && !m.failingAlerted()) {
        return new Outcome(Optional.of(new Planned(AlertKind.FAILING, "e" + m.episode(), Severity.CRITICAL,
            List.copyOf(new TreeSet<>(problems)))),
            new Memory(m.episode(), m.alertedProblems(), true, m.lastChangeId()));
      }
      return new Outcome(Optional.empty(), m);
    }
    Set<String> codes = new TreeSet<>(problems);
    codes.removeAll(EXPIRY_CODES);
    if (codes.isEmpty()) {
      if (m.inEpisode()) {
        return new Outcome(Optional.of(new Planned(AlertKind.RESOLVED, "e" + m.episode(), Severity.INFO, List.of())),
            new Memory(m.episode() + 1, Set.of(), false, m.lastChangeId()));
      }
      return new Outcome(Optional.empty(), m);
    }
    List<String> fresh = new ArrayList<>();
    for (String c : codes) {
      if (!m.alertedProblems().contains(c)) {
        fresh.add(c);
      }
    }
    if (fresh.isEmpty()) {
      return new Outcome(Optional.empty(), m);
    }
    Set<String> alerted = new TreeSet<>(m.alertedProblems());
    alerted.addAll(fresh);
    Severity s = fresh.stream().allMatch(c -> c.startsWith("weak_")) ? Severity.WARNING : Severity.CRITICAL;
    return new Outcome(Optional.of(new Planned(AlertKind.PROBLEM, "e" + m.episode() + ":" + String.join(",", fresh),
        s, fresh)), new Memory(m.episode(), alerted, m.failingAlerted(), m.lastChangeId()));
  }
}
