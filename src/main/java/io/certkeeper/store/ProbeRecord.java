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
    long totalMs) {

  public ProbeRecord {
    Objects.requireNonNull(endpointId, "endpointId");
    problems = List.copyOf(problems);
    chain = List.copyOf(chain);
  }
}
