package io.certkeeper.x509;

import java.security.cert.X509Certificate;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The verdict on a chain. When valid, {@code path} runs from the leaf to the trust anchor; when
 * not, it is the best path found (possibly ending short of any anchor), so callers can still show
 * what was served, and {@code problems} holds every reason found, not just the first. {@code
 * message} says it all in one human sentence.
 */
public record ValidationResult(
    boolean valid, List<X509Certificate> path, Set<Problem> problems, String message) {

  public ValidationResult {
    path = List.copyOf(path);
    problems = problems.isEmpty()
        ? Set.of() : java.util.Collections.unmodifiableSet(EnumSet.copyOf(problems));
    Objects.requireNonNull(message, "message");
    if (valid != problems.isEmpty()) {
      throw new IllegalArgumentException("valid must be true exactly when there are no problems: "
          + problems);
    }
  }

  /** The most severe problem (see the order of {@link Problem}), or empty when valid. */
  public Optional<Problem> worst() {
    return Problem.worst(problems);
  }
}
