package io.certkeeper.probe;

import java.util.Objects;

/**
 * Why a probe could not complete: the step it stopped at, the problem code and a message that
 * names the endpoint and the step, such as {@code "mail.example:25 starttls: server did not offer
 * STARTTLS in its EHLO reply"}.
 */
public record ProbeFailure(ProbeStep step, ProbeProblem problem, String message) {
  public ProbeFailure {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(problem, "problem");
    Objects.requireNonNull(message, "message");
  }
}
