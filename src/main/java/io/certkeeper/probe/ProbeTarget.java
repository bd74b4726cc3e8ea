package io.certkeeper.probe;

import static io.certkeeper.util.Preconditions.requireArgument;

import io.netty.util.NetUtil;
import java.util.Locale;
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

  /** Parses a target as written on the command line or in a targets file. */
  public static ProbeTarget parse(String text) {
    Objects.requireNonNull(text, "text");
    String spec = text.strip();
    requireArgument(!spec.isEmpty(), "empty target");
    String rest = spec;
    String lower = spec.toLowerCase(Locale.ROOT);
    if (lower.startsWith("https://")) {
      rest = spec.substring("https://".length());
      int slash = rest.indexOf('/');
      if (slash >= 0) {
        rest = rest.substring(0, slash);
      }
      requireArgument(rest.indexOf('@') < 0, "target '%s': user info is not allowed", spec);
    } else {
      requireArgument(!lower.contains("://"),
          "target '%s': only https:// URLs are accepted; use host:port otherwise", spec);
    }
    String host;
    String portText = null;
    if (rest.startsWith("[")) {
      int close = rest.indexOf(']');
      requireArgument(close > 0, "target '%s': missing ']' after IPv6 address", spec);
      host = rest.substring(1, close);
      requireArgument(NetUtil.isValidIpV6Address(host),
          "target '%s': '%s' is not an IPv6 address", spec, host);
      String after = rest.substring(close + 1);
      if (!after.isEmpty()) {
        requireArgument(after.startsWith(":"), "target '%s': expected ':port' after ']'", spec);
        portText = after.substring(1);
      }
    } else {
      int colon = rest.lastIndexOf(':');
      requireArgument(colon < 0 || rest.indexOf(':') == colon,
          "target '%s': write IPv6 addresses in brackets, like [::1]:443", spec);
      if (colon >= 0) {
        host = rest.substring(0, colon);
        portText = rest.substring(colon + 1);
      } else {
        host = rest;
      }
      requireArgument(!host.isEmpty(), "target '%s': empty host", spec);
      requireArgument(NetUtil.isValidIpV4Address(host) || isHostName(host),
          "target '%s': '%s' is not a valid host name", spec, host);
    }
    return new ProbeTarget(spec, host.toLowerCase(Locale.ROOT), parsePort(spec, portText));
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

  private static int parsePort(String spec, String portText) {
    if (portText == null) {
      return DEFAULT_PORT;
    }
    requireArgument(!portText.isEmpty() && portText.length() <= 5 && portText.chars().allMatch(
        c -> c >= '0' && c <= '9'), "target '%s': port '%s' is not a number", spec, portText);
    int port = Integer.parseInt(portText);
    requireArgument(port > 0 && port < 65536, "target '%s': port out of range: %s", spec, port);
    return port;
  }

  private static boolean isHostName(String host) {
    if (host.length() > 253) {
      return false;
    }
    String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    if (name.isEmpty()) {
      return false;
    }
    for (String label : name.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
        return false;
      }
      for (int i = 0; i < label.length(); i++) {
        char c = label.charAt(i);
        boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '-' || c == '_';
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }
}
