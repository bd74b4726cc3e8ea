package io.certkeeper.probe;

/**
 * How long a probe took, in milliseconds. {@code connectMs} covers DNS and the TCP connect (and
 * the proxy's CONNECT when there is one); {@code handshakeMs} the TLS handshake (after STARTTLS);
 * {@code totalMs} everything. A step that never ran is -1.
 */
public record ProbeTimings(long connectMs, long handshakeMs, long totalMs) {
  static final long NOT_RUN = -1;
}
