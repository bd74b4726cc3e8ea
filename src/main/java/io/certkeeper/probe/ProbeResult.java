package io.certkeeper.probe;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The judged outcome of one probe, as reported and stored.
 *
 * @param status the worst problem ({@link ProbeProblem} order), or empty when all is well
 * @param problems every problem found, worst first, without duplicates
 * @param message one human sentence: the failure, or what was served and what is wrong with it
 * @param daysLeft whole days until the leaf expires (negative once expired), when a leaf was seen
 * @param validPath whether the chain validates to a trust anchor for the expected name
 */
public record ProbeResult(
    ProbeTarget target,
    String serverName,
    Optional<String> address,
    Optional<ProbeProblem> status,
    List<ProbeProblem> problems,
    String message,
    Optional<String> protocol,
    Optional<String> cipher,
    OptionalLong daysLeft,
    List<CertificateSummary> chain,
    boolean validPath,
    OcspStatus ocsp,
    ProbeTimings timings,
    Optional<Instant> pathNotAfter) {

  public ProbeResult {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(serverName, "serverName");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(status, "status");
    problems = List.copyOf(problems);
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(cipher, "cipher");
    Objects.requireNonNull(daysLeft, "daysLeft");
    chain = List.copyOf(chain);
    Objects.requireNonNull(ocsp, "ocsp");
    Objects.requireNonNull(timings, "timings");
  }

  /** The status code as printed: the worst problem's code, or {@code ok}. */
  public String statusCode() {
    return status.map(ProbeProblem::code).orElse("ok");
  }

  /** The problems' codes, worst first. */
  public List<String> problemCodes() {
    return problems.stream().map(ProbeProblem::code).toList();
  }
}
