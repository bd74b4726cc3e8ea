package io.certkeeper.acme;

import io.certkeeper.util.Printable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.exception.AcmeRateLimitedException;
import org.shredzone.acme4j.exception.AcmeServerException;

/** ACME problem documents (RFC 8555 6.7, with subproblems) in one line. */
final class Problems {
  /** Longest line a problem becomes (servers write long details; subproblems multiply them). */
  static final int MAX = 1000;
  private static final String ACME_ERROR = "urn:ietf:params:acme:error:";

  private Problems() {}

  /** {@code rejectedIdentifier: detail (www.example.com: caa: detail; ...)}. */
  static String describe(Problem p) {
    StringBuilder b = new StringBuilder(type(p));
    p.getDetail().ifPresent(d -> b.append(": ").append(d));
    List<String> subs = new ArrayList<>();
    for (Problem s : p.getSubProblems()) {
      String id = s.getIdentifier().map(i -> i.getValue() + ": ").orElse("");
      subs.add(id + type(s) + s.getDetail().map(d -> ": " + d).orElse(""));
    }
    if (!subs.isEmpty()) {
      b.append(" (").append(String.join("; ", subs)).append(')');
    }
    return cut(Printable.line(b.toString()));
  }

  /** What went wrong in one line, with the server's problem when there is one. */
  static AcmeFailure failure(String step, AcmeException e) {
    Optional<java.time.Instant> retry = e instanceof AcmeRateLimitedException r ? r.getRetryAfter() : Optional.empty();
    String what = e instanceof AcmeServerException s ? describe(s.getProblem())
        : cut(Printable.line(String.valueOf(e.getMessage())
            + (e.getCause() != null ? ": " + io.certkeeper.util.ErrorText.reason(e.getCause()) : "")));
    return new AcmeFailure(step + ": " + what + retry.map(t -> " (the server says retry after " + t + ")").orElse(""),
        retry, e);
  }

  private static String type(Problem p) {
    String t = p.getType().toString();
    return t.startsWith(ACME_ERROR) ? t.substring(ACME_ERROR.length()) : t;
  }

  private static String cut(String s) {
    return s.length() <= MAX ? s : s.substring(0, MAX - 1) + "…";
  }
}
