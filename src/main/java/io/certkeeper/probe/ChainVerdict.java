package io.certkeeper.probe;

import java.util.List;
import java.util.Objects;

/**
 * What chain validation concluded: whether a valid path to a trust anchor exists, the problems
 * found (validator codes only), and a sentence explaining the first one.
 */
record ChainVerdict(boolean validPath, List<ProbeProblem> problems, String message) {
  ChainVerdict {
    problems = List.copyOf(problems);
    Objects.requireNonNull(message, "message");
  }
}
