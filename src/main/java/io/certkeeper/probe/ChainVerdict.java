package io.certkeeper.probe;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Objects;

/**
 * What chain validation concluded: whether a valid path to a trust anchor exists, the problems
 * found (validator codes only), a sentence explaining the first one, and the expiry of the path
 * built (the earliest notAfter along it), which may be earlier than the leaf's.
 */
record ChainVerdict(boolean validPath, List<ProbeProblem> problems, String message,
    Optional<Instant> pathNotAfter) {
  ChainVerdict(boolean validPath, List<ProbeProblem> problems, String message) {
    this(validPath, problems, message, Optional.empty());
  }

  ChainVerdict {
    problems = List.copyOf(problems);
    Objects.requireNonNull(message, "message");
  }
}
