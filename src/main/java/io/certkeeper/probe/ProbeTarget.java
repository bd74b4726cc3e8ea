package io.certkeeper.probe;

import static io.certkeeper.util.Preconditions.requireArgument;

import io.certkeeper.util.HostPort;
import io.netty.util.NetUtil;
import java.util.Objects;

/**
 * One endpoint to probe: a host name or IP literal and a TCP port.
 *
 * <p>{@link #parse} accepts {@code host:port}, {@code [v6addr]:port}, {@code https://host[:port]}
 * and a bare {@code host} (port 443). {@code spec} keeps the text as the user wrote it, for
 * reports.
 */
public record ProbeTarget(String spec, String host, int port) {
  /** The port used when none is given: HTTPS. */
  public static final int DEFAULT_PORT = 443;

  public ProbeTarget {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(host, "host");
    requireArgument(!host.isEmpty(), "target '%s': empty host", spec);
    requireArgument(port > 0 && port < 65536, "target '%s': port out of range: %s", spec, port);
  }

  /** Parses a target as written on the command line or in a targets file; see {@link HostPort#parse}. */
  public static ProbeTarget parse(String text) {
    Objects.requireNonNull(text, "text");
    HostPort hp = HostPort.parse(text);
    return new ProbeTarget(text.strip(), hp.host(), hp.port());
  }

  /** The host and port without the text as written. */
  public HostPort hostPort() {
    return new HostPort(host, port);
  }

  /** True when the host is an IPv4 or IPv6 literal (no SNI is sent for those). */
  public boolean isIpLiteral() {
    return NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host);
  }

  /** {@code host:port}, with IPv6 literals in brackets. */
  public String hostAndPort() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public String toString() {
    return hostAndPort();
  }
}
