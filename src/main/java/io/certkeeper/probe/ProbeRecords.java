package io.certkeeper.probe;

import io.certkeeper.store.ProbeRecord;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Maps one probe to the row the store keeps ({@link ProbeRecord}); the store then upserts the
 * observed certificates, appends the result and records a change when the leaf differs.
 */
public final class ProbeRecords {
  private ProbeRecords() {}

  /**
   * The record of {@code result}, judged from {@code capture}, for the endpoint {@code endpointId}
   * (built by the caller from its configuration: {@code host:port[;sni=..][;starttls=..]}).
   */
  public static ProbeRecord of(String endpointId, ProbeCapture capture, ProbeResult result,
      Instant probedAt) {
    Objects.requireNonNull(endpointId, "endpointId");
    Objects.requireNonNull(probedAt, "probedAt");
    ProbeTimings t = result.timings();
    return new ProbeRecord(endpointId, probedAt, result.statusCode(), result.problemCodes(),
        result.message(), result.address(), result.protocol(), result.cipher(), capture.chain(),
        result.validPath(), result.pathNotAfter(), result.ocsp().code(), measured(t.connectMs()),
        measured(t.handshakeMs()), t.totalMs());
  }

  /**
   * The record of a probe that ended without a judged result, because capturing or judging it
   * failed in a way nothing else caught: status {@code malformed}, {@code message} saying why,
   * nothing observed. So that no probe ends without a row.
   */
  public static ProbeRecord unjudged(String endpointId, String message, Instant probedAt) {
    Objects.requireNonNull(endpointId, "endpointId");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(probedAt, "probedAt");
    return new ProbeRecord(endpointId, probedAt, ProbeProblem.MALFORMED.code(),
        List.of(ProbeProblem.MALFORMED.code()), message, Optional.empty(), Optional.empty(),
        Optional.empty(), List.of(), false, Optional.empty(), OcspStatus.NONE.code(),
        Optional.empty(), Optional.empty(), 0);
  }

  private static Optional<Long> measured(long millis) {
    return millis == ProbeTimings.NOT_RUN ? Optional.empty() : Optional.of(millis);
  }
}
