package io.certkeeper.probe;

import static io.certkeeper.util.Preconditions.requireArgument;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach and talk to endpoints; shared by every target of one {@link Prober}.
 *
 * <p>Each step has its own timeout, and {@code totalTimeout} bounds the whole probe, including a
 * legacy retry. Build with {@link #builder()}; every setter documents its default.
 */
public record ProbeOptions(
    Optional<String> serverName,
    Optional<StartTls> startTls,
    Optional<ProxyEndpoint> proxy,
    Duration dnsTimeout,
    Duration connectTimeout,
    Duration handshakeTimeout,
    Duration totalTimeout,
    int concurrency,
    boolean legacyFallback) {

  /** Default overall time for one probe. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  /** Default time for each of DNS, connect, proxy, each STARTTLS exchange, and the handshake. */
  public static final Duration DEFAULT_STEP_TIMEOUT = Duration.ofSeconds(5);
  /** Default number of probes in flight at once. */
  public static final int DEFAULT_CONCURRENCY = 64;
  /** Upper bound on concurrency: each probe holds a socket. */
  public static final int MAX_CONCURRENCY = 10_000;

  public ProbeOptions {
    Objects.requireNonNull(serverName, "serverName");
    Objects.requireNonNull(startTls, "startTls");
    Objects.requireNonNull(proxy, "proxy");
    requirePositive("dnsTimeout", dnsTimeout);
    requirePositive("connectTimeout", connectTimeout);
    requirePositive("handshakeTimeout", handshakeTimeout);
    requirePositive("totalTimeout", totalTimeout);
    requireArgument(concurrency >= 1 && concurrency <= MAX_CONCURRENCY,
        "concurrency must be between 1 and %s: %s", MAX_CONCURRENCY, concurrency);
  }

  /** Options with every default: direct connection, no STARTTLS, 10 s per probe, 64 at once. */
  public static ProbeOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The name sent as SNI and expected in the certificate: the servername, else the host. */
  public String expectedName(ProbeTarget target) {
    return serverName.orElse(target.host());
  }

  private static void requirePositive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    requireArgument(!d.isNegative() && !d.isZero(), "%s must be positive: %s", name, d);
  }

  /** Builder for {@link ProbeOptions}; checks each value as it is given. */
  public static final class Builder {
    private Optional<String> serverName = Optional.empty();
    private Optional<StartTls> startTls = Optional.empty();
    private Optional<ProxyEndpoint> proxy = Optional.empty();
    private Duration dnsTimeout = DEFAULT_STEP_TIMEOUT;
    private Duration connectTimeout = DEFAULT_STEP_TIMEOUT;
    private Duration handshakeTimeout = DEFAULT_STEP_TIMEOUT;
    private Duration totalTimeout = DEFAULT_TIMEOUT;
    private int concurrency = DEFAULT_CONCURRENCY;
    private boolean legacyFallback = true;

    private Builder() {}

    /** Name to send as SNI and to expect in the certificate. Default: each target's host. */
    public Builder serverName(String name) {
      Objects.requireNonNull(name, "name");
      requireArgument(!name.isBlank(), "servername must not be blank");
      this.serverName = Optional.of(name.strip());
      return this;
    }

    /** Protocol to upgrade with STARTTLS before the handshake. Default: none (TLS at once). */
    public Builder startTls(StartTls protocol) {
      this.startTls = Optional.of(Objects.requireNonNull(protocol, "protocol"));
      return this;
    }

    /** HTTP CONNECT proxy to go through. Default: direct connection. */
    public Builder proxy(ProxyEndpoint proxy) {
      this.proxy = Optional.of(Objects.requireNonNull(proxy, "proxy"));
      return this;
    }

    /** Overall time for one probe; also caps every step. Default: 10 s. */
    public Builder timeout(Duration total) {
      requirePositive("timeout", total);
      this.totalTimeout = total;
      return this;
    }

    /** Time to resolve the host. Default: 5 s (capped by the overall timeout). */
    public Builder dnsTimeout(Duration d) {
      requirePositive("dnsTimeout", d);
      this.dnsTimeout = d;
      return this;
    }

    /** Time for the TCP connect and the proxy's answer. Default: 5 s (capped by the overall). */
    public Builder connectTimeout(Duration d) {
      requirePositive("connectTimeout", d);
      this.connectTimeout = d;
      return this;
    }

    /** Time for the TLS handshake and for each STARTTLS exchange. Default: 5 s (capped). */
    public Builder handshakeTimeout(Duration d) {
      requirePositive("handshakeTimeout", d);
      this.handshakeTimeout = d;
      return this;
    }

    /** Probes in flight at once. Default: 64. */
    public Builder concurrency(int n) {
      requireArgument(n >= 1 && n <= MAX_CONCURRENCY,
          "concurrency must be between 1 and %s: %s", MAX_CONCURRENCY, n);
      this.concurrency = n;
      return this;
    }

    /**
     * Whether to retry with a legacy ClientHello (TLS 1.0-1.2, weak suites) when the modern
     * handshake is refused. Default: true.
     */
    public Builder legacyFallback(boolean enabled) {
      this.legacyFallback = enabled;
      return this;
    }

    public ProbeOptions build() {
      return new ProbeOptions(serverName, startTls, proxy, min(dnsTimeout, totalTimeout),
          min(connectTimeout, totalTimeout), min(handshakeTimeout, totalTimeout), totalTimeout,
          concurrency, legacyFallback);
    }

    private static Duration min(Duration a, Duration b) {
      return a.compareTo(b) <= 0 ? a : b;
    }
  }
}
