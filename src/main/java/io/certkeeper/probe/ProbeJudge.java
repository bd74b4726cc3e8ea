package io.certkeeper.probe;

import io.certkeeper.util.ErrorText;
import io.certkeeper.util.TimeLeft;
import io.certkeeper.x509.Asn1Limits;
import io.certkeeper.x509.TrustAnchors;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Turns a {@link ProbeCapture} into a {@link ProbeResult}: a pure step over the capture, the
 * chain judge (validator and trust anchors), the expiry thresholds and a clock.
 *
 * <p>The probe's own problems are found here: the network failure if any, {@code weak_protocol}
 * (TLS 1.1 or older negotiated), {@code weak_cipher} ({@link CipherSuites#isWeak}),
 * {@code expiring} (leaf valid now but ending within the warning threshold), {@code revoked}
 * from a stapled OCSP response, {@code malformed} when that response cannot be decoded. The
 * chain's own problems come from the {@link ChainJudge}. Judging never throws for what a server
 * sent: whatever cannot be read is this result's {@code malformed} problem.
 */
public final class ProbeJudge {
  private final ChainJudge chainJudge;
  private final ExpiryThresholds thresholds;
  private final Clock clock;

  /**
   * A judge that validates chains strictly against {@code anchors} (the system store, {@code
   * --ca-file} anchors, the local CA's root, as the caller decides).
   */
  public static ProbeJudge strict(TrustAnchors anchors, ExpiryThresholds thresholds, Clock clock) {
    return new ProbeJudge(ChainJudge.strict(anchors), thresholds, clock);
  }

  ProbeJudge(ChainJudge chainJudge, ExpiryThresholds thresholds, Clock clock) {
    this.chainJudge = Objects.requireNonNull(chainJudge, "chainJudge");
    this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The verdict on one capture. Pure apart from reading the clock. */
  public ProbeResult judge(ProbeCapture capture) {
    return judge(capture, FetchedRevocation.none());
  }

  /**
   * The verdict on one capture, with revocation information fetched from the chain's URLs: its
   * CRLs are checked along the path, and a fetched OCSP answer counts when the server stapled none.
   */
  public ProbeResult judge(ProbeCapture capture, FetchedRevocation revocation) {
    Instant now = clock.instant();
    Set<ProbeProblem> problems = EnumSet.noneOf(ProbeProblem.class);
    capture.failure().ifPresent(f -> problems.add(f.problem()));
    capture.protocol().filter(CipherSuites::isWeakProtocol)
        .ifPresent(p -> problems.add(ProbeProblem.WEAK_PROTOCOL));
    capture.cipher().filter(c -> CipherSuites.isWeak(c, capture.dhGroupBits()))
        .ifPresent(c -> problems.add(ProbeProblem.WEAK_CIPHER));

    OptionalLong daysLeft = OptionalLong.empty();
    boolean validPath = false;
    String chainMessage = null;
    java.util.Optional<Instant> pathNotAfter = java.util.Optional.empty();
    // What the OCSP responses said beyond their status, for the message; a malformed one is also a problem.
    List<String> ocspDetails = new java.util.ArrayList<>();
    OcspStaple.Reading staple = OcspStaple.read(capture.ocspStaple(), capture.chain(), now);
    boolean malformed = staple.malformed().isPresent();
    staple.malformed().ifPresent(m -> ocspDetails.add("stapled OCSP response is malformed: " + m));
    staple.invalid().ifPresent(m -> ocspDetails.add("stapled OCSP response is invalid: " + m));
    OcspStatus ocsp = staple.status();
    // A fetched response is read whenever the staple gave no verified answer: a server must not
    // hide its revocation by stapling garbage or a stale response.
    boolean answered = ocsp == OcspStatus.GOOD || ocsp == OcspStatus.REVOKED;
    if (!answered && revocation.ocspResponse().isPresent()) {
      OcspStaple.Reading fetched = OcspStaple.read(revocation.ocspResponse(), capture.chain(), now);
      malformed |= fetched.malformed().isPresent();
      fetched.malformed().ifPresent(m -> ocspDetails.add("fetched OCSP response is malformed: " + m));
      fetched.invalid().ifPresent(m -> ocspDetails.add("fetched OCSP response is invalid: " + m));
      if (ocsp == OcspStatus.NONE || fetched.status() == OcspStatus.GOOD
          || fetched.status() == OcspStatus.REVOKED) {
        ocsp = fetched.status();
      }
    }
    if (malformed) {
      problems.add(ProbeProblem.MALFORMED);
    }
    if (ocsp == OcspStatus.REVOKED) {
      problems.add(ProbeProblem.REVOKED);
    }
    if (!capture.chain().isEmpty()) {
      X509Certificate leaf = capture.chain().get(0);
      Instant notAfter = leaf.getNotAfter().toInstant();
      Duration left = Duration.between(now, notAfter);
      daysLeft = OptionalLong.of(Math.floorDiv(left.getSeconds(), 86_400L));
      if (!left.isNegative() && left.compareTo(thresholds.warning()) < 0
          && !now.isBefore(leaf.getNotBefore().toInstant())) {
        problems.add(ProbeProblem.EXPIRING);
      }
      ChainVerdict verdict = judgeChain(capture, now, revocation);
      validPath = verdict.validPath();
      problems.addAll(verdict.problems());
      chainMessage = verdict.message();
      pathNotAfter = verdict.pathNotAfter();
    }
    if (!ocspDetails.isEmpty()) {
      String detail = String.join("; ", ocspDetails);
      chainMessage = chainMessage == null || chainMessage.isEmpty() ? detail
          : detail + "; " + chainMessage;
    }
    List<ProbeProblem> ordered = List.copyOf(problems);
    return new ProbeResult(capture.target(), capture.serverName(), capture.address(),
        ordered.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(ordered.get(0)),
        ordered, message(capture, ordered, now, chainMessage), capture.protocol(),
        capture.cipher(), daysLeft, capture.chain().stream().map(CertificateSummary::of).toList(),
        validPath, ocsp, capture.timings(), pathNotAfter);
  }

  /** The chain judge's verdict; a chain it cannot even read is {@code malformed}. */
  private ChainVerdict judgeChain(ProbeCapture capture, Instant now, FetchedRevocation revocation) {
    try {
      return Asn1Limits.guard(() -> chainJudge.judge(capture.chain(), capture.serverName(), now,
          revocation.crls()));
    } catch (RuntimeException e) {
      return new ChainVerdict(false, List.of(ProbeProblem.MALFORMED),
          "the chain cannot be read: "
              + ErrorText.reason(e));
    }
  }

  private static String message(ProbeCapture capture, List<ProbeProblem> problems, Instant now,
      String chainMessage) {
    StringBuilder m = new StringBuilder();
    if (capture.failure().isPresent()) {
      m.append(capture.failure().get().message());
      if (!capture.chain().isEmpty()) {
        m.append("; it presented ").append(subjectOf(capture.chain().get(0)));
      }
      return m.toString();
    }
    m.append(capture.target().hostAndPort()).append(" serves ");
    if (capture.chain().isEmpty()) {
      m.append("no certificate");
    } else {
      m.append(subjectOf(capture.chain().get(0)));
      m.append(", ").append(TimeLeft.expiry(capture.chain().get(0).getNotAfter().toInstant(), now));
    }
    m.append(" over ").append(capture.protocol().orElse("?")).append(' ')
        .append(capture.cipher().orElse("?"));
    if (problems.isEmpty()) {
      m.append("; no problems");
    } else {
      m.append("; problems: ").append(String.join(", ",
          problems.stream().map(ProbeProblem::code).toList()));
    }
    if (chainMessage != null && !chainMessage.isEmpty()) {
      m.append(" (").append(chainMessage).append(')');
    }
    return m.toString();
  }

  private static String subjectOf(X509Certificate cert) {
    return cert.getSubjectX500Principal().getName();
  }
}
