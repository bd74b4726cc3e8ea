package io.certkeeper.probe;

import java.util.Collection;
import java.util.List;

/**
 * Exit codes in the Nagios plugin convention, worst over all targets: OK when nothing is wrong;
 * WARNING when the only problem is {@code expiring} with more days left than the critical
 * threshold; CRITICAL for any other problem or for {@code expiring} within the critical
 * threshold; UNKNOWN for usage and input errors (set by the command, never by a result).
 */
public enum NagiosStatus {
  OK(0),
  WARNING(1),
  CRITICAL(2),
  UNKNOWN(3);

  private final int exitCode;

  NagiosStatus(int exitCode) {
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }

  /** The status of one result. */
  public static NagiosStatus of(ProbeResult result, ExpiryThresholds thresholds) {
    return of(result.problems(), result.daysLeft().orElse(Long.MIN_VALUE), thresholds);
  }

  /** The worst status over results; OK for none. */
  public static NagiosStatus worst(Collection<ProbeResult> results, ExpiryThresholds thresholds) {
    NagiosStatus worst = OK;
    for (ProbeResult r : results) {
      NagiosStatus s = of(r, thresholds);
      if (s.exitCode > worst.exitCode) {
        worst = s;
      }
    }
    return worst;
  }

  static NagiosStatus of(List<ProbeProblem> problems, long daysLeft, ExpiryThresholds thresholds) {
    if (problems.isEmpty()) {
      return OK;
    }
    if (problems.equals(List.of(ProbeProblem.EXPIRING))
        && daysLeft > thresholds.critical().toDays()) {
      return WARNING;
    }
    return CRITICAL;
  }
}
