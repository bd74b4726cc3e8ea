package io.certkeeper.x509;

import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import javax.security.auth.x500.X500Principal;

/**
 * Depth-first path building for one request. From the leaf it looks for issuers by subject name
 * (skipping those whose subjectKeyIdentifier contradicts the authorityKeyIdentifier), trust
 * anchors before intermediates, verifies each signature once, never puts the same certificate
 * (subject and key) twice on a path, and backtracks when a path has problems. The first path
 * without problems wins; otherwise the least bad one is reported. Work is bounded by
 * {@link Budget} and {@link ChainValidator#MAX_INTERMEDIATES}. Not thread-safe: one per request.
 */
final class PathSearch {
  private record Candidate(List<ParsedCertificate> path, List<Finding> findings, boolean anchored) {}

  private record Edge(ParsedCertificate subject, ParsedCertificate issuer) {}

  private static final int MAX_MESSAGE_DETAILS = 8;

  private final ValidationRequest request;
  private final TrustAnchors anchors;
  private final Budget budget = new Budget();
  private final PathEvaluator evaluator;
  private final Map<X500Principal, List<ParsedCertificate>> intermediates = new HashMap<>();
  private final Map<Edge, Boolean> signatures = new HashMap<>();
  private final ArrayList<ParsedCertificate> path = new ArrayList<>();
  private Candidate best;
  private boolean done;

  private final SignatureCache signatureCache;

  PathSearch(ValidationRequest request, SignatureCache signatureCache) {
    this.request = request;
    this.signatureCache = signatureCache;
    this.anchors = request.anchors();
    this.evaluator = new PathEvaluator(request, budget, name -> {
      List<ParsedCertificate> found = new ArrayList<>(intermediates.getOrDefault(name, List.of()));
      found.addAll(anchors.withSubject(name));
      return found;
    });
  }

  ValidationResult run() {
    ParsedCertificate leaf = anchors.withEncoding(encoded(request.leaf()));
    if (leaf != null) {
      consider(List.of(leaf), PathEvaluator.Ending.ANCHORED);
      return result();
    }
    leaf = ParsedCertificate.of(request.leaf());
    indexIntermediates(leaf);
    path.add(leaf);
    extend();
    return result();
  }

  private void indexIntermediates(ParsedCertificate leaf) {
    Set<ByteBuffer> seen = new HashSet<>();
    seen.add(ByteBuffer.wrap(leaf.encoded));
    for (X509Certificate certificate : request.untrusted()) {
      byte[] der = encoded(certificate);
      if (!seen.add(ByteBuffer.wrap(der)) || anchors.withEncoding(der) != null) {
        continue; // a duplicate, or an anchor: anchors are found as anchors
      }
      ParsedCertificate parsed = ParsedCertificate.of(certificate);
      intermediates.computeIfAbsent(parsed.subject, k -> new ArrayList<>()).add(parsed);
    }
  }

  private void extend() {
    ParsedCertificate current = path.get(path.size() - 1);
    boolean signatureFailed = false;
    boolean extended = false;
    for (ParsedCertificate anchor : anchors.withSubject(current.issuer)) {
      if (conflictingKeyIds(current, anchor)) {
        continue;
      }
      Boolean ok = verified(current, anchor);
      if (ok == null) {
        giveUp();
        return;
      }
      if (!ok) {
        signatureFailed = true;
        continue;
      }
      extended = true;
      path.add(anchor);
      consider(path, PathEvaluator.Ending.ANCHORED);
      path.remove(path.size() - 1);
      if (done) {
        return;
      }
    }
    List<ParsedCertificate> issuers = intermediates.getOrDefault(current.issuer, List.of());
    boolean depthReached = path.size() - 1 >= ChainValidator.MAX_INTERMEDIATES;
    if (!depthReached) {
      for (ParsedCertificate issuer : issuers) {
        if (!budget.spendPathStep()) {
          giveUp();
          return;
        }
        if (onPath(issuer) || conflictingKeyIds(current, issuer)) {
          continue;
        }
        Boolean ok = verified(current, issuer);
        if (ok == null) {
          giveUp();
          return;
        }
        if (!ok) {
          signatureFailed = true;
          continue;
        }
        extended = true;
        path.add(issuer);
        extend();
        path.remove(path.size() - 1);
        if (done) {
          return;
        }
      }
    }
    if (!extended) {
      consider(path, deadEnd(current, signatureFailed, depthReached && !issuers.isEmpty()));
    }
  }

  private PathEvaluator.Ending deadEnd(ParsedCertificate current, boolean signatureFailed,
      boolean depthReached) {
    if (current.selfIssued && Algorithms.verify(current, current.publicKey)) {
      return PathEvaluator.Ending.UNTRUSTED_SELF_SIGNED;
    }
    if (depthReached) {
      return PathEvaluator.Ending.GAVE_UP;
    }
    return signatureFailed ? PathEvaluator.Ending.BAD_SIGNATURE
        : PathEvaluator.Ending.ISSUER_MISSING;
  }

  private void giveUp() {
    consider(path, PathEvaluator.Ending.GAVE_UP);
    done = true;
  }

  /** Whether {@code issuer} signed {@code subject}; null when the signature budget is spent. */
  private Boolean verified(ParsedCertificate subject, ParsedCertificate issuer) {
    Edge edge = new Edge(subject, issuer);
    Boolean known = signatures.get(edge);
    if (known != null) {
      return known;
    }
    if (!budget.spendSignatureCheck()) {
      return null;
    }
    boolean ok = signatureCache != null ? signatureCache.verify(subject, issuer)
        : Algorithms.verify(subject, issuer.publicKey);
    signatures.put(edge, ok);
    return ok;
  }

  private boolean onPath(ParsedCertificate candidate) {
    for (ParsedCertificate cert : path) {
      if (cert.sameIdentity(candidate)) {
        return true;
      }
    }
    return false;
  }

  private static boolean conflictingKeyIds(ParsedCertificate subject, ParsedCertificate issuer) {
    return subject.authorityKeyId != null && issuer.subjectKeyId != null
        && !Arrays.equals(subject.authorityKeyId, issuer.subjectKeyId);
  }

  private void consider(List<ParsedCertificate> candidatePath, PathEvaluator.Ending ending) {
    List<Finding> findings = evaluator.evaluate(candidatePath, ending);
    Candidate candidate = new Candidate(List.copyOf(candidatePath), findings,
        ending == PathEvaluator.Ending.ANCHORED);
    if (best == null || better(candidate, best)) {
      best = candidate;
    }
    if (candidate.anchored && findings.isEmpty()) {
      done = true;
    }
  }

  /** Anchored beats unanchored; then the less severe worst problem; then fewer; then longer. */
  private static boolean better(Candidate a, Candidate b) {
    if (a.anchored != b.anchored) {
      return a.anchored;
    }
    int worstA = worstOrdinal(a.findings);
    int worstB = worstOrdinal(b.findings);
    if (worstA != worstB) {
      return worstA > worstB;
    }
    if (a.findings.size() != b.findings.size()) {
      return a.findings.size() < b.findings.size();
    }
    return a.path.size() > b.path.size();
  }

  private static int worstOrdinal(List<Finding> findings) {
    int worst = Problem.values().length;
    for (Finding finding : findings) {
      worst = Math.min(worst, finding.problem().ordinal());
    }
    return worst;
  }

  private ValidationResult result() {
    List<X509Certificate> certificates = best.path.stream().map(c -> c.x509).toList();
    if (best.anchored && best.findings.isEmpty()) {
      StringJoiner chain = new StringJoiner(" -> ");
      best.path.forEach(c -> chain.add("'" + c.displayName() + "'"));
      return new ValidationResult(true, certificates, Set.of(),
          "valid: " + chain + " (trust anchor)");
    }
    Set<Problem> problems = new HashSet<>();
    StringJoiner details = new StringJoiner("; ");
    List<Finding> sorted = new ArrayList<>(best.findings);
    sorted.sort((x, y) -> x.problem().compareTo(y.problem()));
    for (int i = 0; i < sorted.size(); i++) {
      problems.add(sorted.get(i).problem());
      if (i < MAX_MESSAGE_DETAILS) {
        details.add(sorted.get(i).detail());
      }
    }
    String more = sorted.size() > MAX_MESSAGE_DETAILS
        ? "; and " + (sorted.size() - MAX_MESSAGE_DETAILS) + " more" : "";
    return new ValidationResult(false, certificates, problems, "invalid: " + details + more);
  }

  private static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalArgumentException("certificate cannot be encoded: "
          + certificate.getSubjectX500Principal(), e);
    }
  }
}
