package io.certkeeper.probe;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What one probe observed, before any judgement: where it connected, what was negotiated, the
 * certificates exactly as the server sent them (leaf first if the server is well behaved, but
 * never reordered), the stapled OCSP response, how long it took, and why it stopped if it did.
 *
 * <p>A capture can carry both a chain and a failure: a server that demands a client certificate
 * shows its chain before refusing us.
 *
 * @param serverName the name sent as SNI (if the host is not an IP literal) and to be expected
 *     in the certificate
 * @param address the IP address connected to; empty through a proxy or when DNS failed
 * @param legacyHandshake true when the data came from the legacy ClientHello, which stops after
 *     the server's first flight
 * @param dhGroupBits size of the finite-field DH group the server chose, when it chose DHE
 */
public record ProbeCapture(
    ProbeTarget target,
    String serverName,
    Optional<String> address,
    Optional<String> protocol,
    Optional<String> cipher,
    List<X509Certificate> chain,
    Optional<byte[]> ocspStaple,
    OptionalInt dhGroupBits,
    boolean legacyHandshake,
    boolean clientCertRequested,
    ProbeTimings timings,
    Optional<ProbeFailure> failure) {

  public ProbeCapture {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(serverName, "serverName");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(cipher, "cipher");
    chain = List.copyOf(chain);
    ocspStaple = ocspStaple.map(byte[]::clone);
    Objects.requireNonNull(dhGroupBits, "dhGroupBits");
    Objects.requireNonNull(timings, "timings");
    Objects.requireNonNull(failure, "failure");
  }

  @Override
  public Optional<byte[]> ocspStaple() {
    return ocspStaple.map(byte[]::clone);
  }

  /** True when the probe stopped before a full observation. */
  public boolean failed() {
    return failure.isPresent();
  }

  /** The first certificate sent, which a well-behaved server makes its own. */
  public Optional<X509Certificate> leaf() {
    return chain.isEmpty() ? Optional.empty() : Optional.of(chain.get(0));
  }

  @Override
  public String toString() {
    return "ProbeCapture[" + target + " protocol=" + protocol.orElse("-") + " cipher="
        + cipher.orElse("-") + " chain=" + chain.size() + " legacy=" + legacyHandshake
        + failure.map(f -> " failure=" + f.problem() + " (" + f.message() + ")").orElse("") + "]";
  }

  /** Mutable collector filled in by a probe as it goes; confined to one event loop. */
  static final class Builder {
    final ProbeTarget target;
    final String serverName;
    String address;
    String protocol;
    String cipher;
    List<X509Certificate> chain = new ArrayList<>();
    byte[] ocspStaple;
    Integer dhGroupBits;
    boolean legacyHandshake;
    boolean clientCertRequested;
    long connectMs = ProbeTimings.NOT_RUN;
    long handshakeMs = ProbeTimings.NOT_RUN;
    ProbeFailure failure;

    Builder(ProbeTarget target, String serverName) {
      this.target = target;
      this.serverName = serverName;
    }

    ProbeCapture build(long totalMs) {
      return new ProbeCapture(target, serverName, Optional.ofNullable(address),
          Optional.ofNullable(protocol), Optional.ofNullable(cipher), chain,
          Optional.ofNullable(ocspStaple),
          dhGroupBits == null ? OptionalInt.empty() : OptionalInt.of(dhGroupBits),
          legacyHandshake, clientCertRequested,
          new ProbeTimings(connectMs, handshakeMs, totalMs), Optional.ofNullable(failure));
    }
  }
}
