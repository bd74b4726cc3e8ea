package io.certkeeper.x509;

import java.util.Objects;

/** One reason a path is not acceptable: the code, and a sentence fragment saying where and why. */
record Finding(Problem problem, String detail) {
  Finding {
    Objects.requireNonNull(problem, "problem");
    Objects.requireNonNull(detail, "detail");
  }
}
