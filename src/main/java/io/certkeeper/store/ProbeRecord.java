package io.certkeeper.store;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One probe's outcome as the store keeps it.
 *
 * @param endpointId the endpoint's id ({@code host:port[;sni=..][;starttls=..]})
 * @param status the worst problem code, or {@code ok}
 * @param problems every problem code
 * @param chain the certificates as the server sent them (may be empty when none was obtained)
 * @param pathNotAfter expiry of the validated path (the earliest notAfter along it), when one was built
 * @param ocsp {@code good}, {@code revoked}, {@code unknown} or {@code none}
 * @param dueAt when the schedule wanted this probe (empty for a probe nobody scheduled)
 */
public record ProbeRecord(
    String endpointId,
    Instant probedAt,
    String status,
    List<String> problems,
    String message,
    Optional<String> address,
    Optional<String> protocol,
    Optional<String> cipher,
    List<X509Certificate> chain,
    boolean validPath,
    Optional<Instant> pathNotAfter,
    String ocsp,
    Optional<Long> connectMs,
    Optional<Long> handshakeMs,
    long totalMs,
    Optional<Instant> dueAt) {

  public ProbeRecord {
    Objects.requireNonNull(endpointId, "endpointId");
    problems = List.copyOf(problems);
    chain = List.copyOf(chain);
    Objects.requireNonNull(dueAt, "dueAt");
  }

  /** A probe nobody scheduled (no due time). */
  public ProbeRecord(String endpointId, Instant probedAt, String status, List<String> problems, String message,
      Optional<String> address, Optional<String> protocol, Optional<String> cipher, List<X509Certificate> chain,
      boolean validPath, Optional<Instant> pathNotAfter, String ocsp, Optional<Long> connectMs,
      Optional<Long> handshakeMs, long totalMs) {
    this(endpointId, probedAt, status, problems, message, address, protocol, cipher, chain, validPath, pathNotAfter,
        ocsp, connectMs, handshakeMs, totalMs, Optional.empty());
  }

  /** This record, as the probe due at {@code due}. */
  public ProbeRecord dueAt(Instant due) {
    return new ProbeRecord(endpointId, probedAt, status, problems, message, address, protocol, cipher, chain, validPath,
        pathNotAfter, ocsp, connectMs, handshakeMs, totalMs, Optional.of(due));
  }
}
