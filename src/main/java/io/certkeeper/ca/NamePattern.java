package io.certkeeper.ca;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.Locale;

/**
 * One entry of the policy's {@code allowed-names}: which SANs it lets through.
 *
 * <ul>
 *   <li>{@code dns:host.example} exactly that name; {@code dns:*.internal.example} one label under
 *       it ({@code a.internal.example}, and the wildcard {@code *.internal.example} itself);
 *       {@code dns:**.internal.example} any depth under it. Never the bare parent.
 *   <li>{@code ip:10.0.0.0/8}, {@code ip:fd00::/8} a CIDR range; {@code ip:192.0.2.7} one address.
 *   <li>{@code email:*@example.com} any mailbox at that domain (the domain part takes the DNS
 *       patterns above); {@code email:ops@example.com} exactly that one.
 *   <li>{@code uri:spiffe://example.org/*} a prefix; without a trailing {@code *} exactly that URI.
 * </ul>
 *
 * An entry without a type is an IP pattern when it reads as an address or range, else a DNS one.
 */
public final class NamePattern {
  private final San.Type type;
  private final String pattern;
  private final byte[] network;
  private final int prefixLength;

  private NamePattern(San.Type type, String pattern, byte[] network, int prefixLength) {
    this.type = type;
    this.pattern = pattern;
    this.network = network;
    this.prefixLength = prefixLength;
  }

  /**
   * Parses one entry.
   *
   * @throws IllegalArgumentException naming the entry and the expected forms
   */
  public static NamePattern parse(String text) {
    String t = text.trim();
    int colon = t.indexOf(':');
    String prefix = colon < 0 ? "" : t.substring(0, colon).toLowerCase(Locale.ROOT);
    String value = colon < 0 ? t : t.substring(colon + 1);
    switch (prefix) {
      case "dns": return dns(value, text);
      case "ip": return ip(value, text);
      case "email": return email(value, text);
      case "uri": return uri(value, text);
      default:
        if (looksLikeIp(t)) {
          return ip(t, text);
        }
        if (colon < 0) {
          return dns(t, text);
        }
        throw new IllegalArgumentException("'" + text + "' is not a name pattern"
            + " (expected dns:PATTERN, ip:CIDR, email:PATTERN or uri:PATTERN)");
    }
  }

  private static boolean looksLikeIp(String t) {
    String addr = t.contains("/") ? t.substring(0, t.indexOf('/')) : t;
    return San.isIpLiteral(addr);
  }

  private static NamePattern dns(String value, String text) {
    String v = value.toLowerCase(Locale.ROOT);
    String rest = v.startsWith("**.") ? v.substring(3) : v.startsWith("*.") ? v.substring(2) : v;
    if (!San.isDnsName(rest, false)) {
      throw new IllegalArgumentException("'" + text + "' is not a DNS name pattern (e.g. host.example, *.internal.example, **.internal.example)");
    }
    return new NamePattern(San.Type.DNS, v, null, 0);
  }

  private static NamePattern ip(String value, String text) {
    int slash = value.indexOf('/');
    String addr = slash < 0 ? value : value.substring(0, slash);
    InetAddress a;
    try {
      a = San.parseAddress(addr);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR range (e.g. 10.0.0.0/8, fd00::/8)");
    }
    byte[] bytes = a.getAddress();
    int bits = bytes.length * 8;
    int len = bits;
    if (slash >= 0) {
      String p = value.substring(slash + 1);
      if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > bits) {
        throw new IllegalArgumentException("'" + text + "': prefix length must be 0 to " + bits);
      }
      len = Integer.parseInt(p);
    }
    if (!new BigInteger(1, bytes).shiftLeft(len).and(BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)).equals(BigInteger.ZERO)) {
      throw new IllegalArgumentException("'" + text + "': host bits are set after the /" + len + " prefix");
    }
    return new NamePattern(San.Type.IP, value, bytes, len);
  }

  private static NamePattern email(String value, String text) {
    int at = value.lastIndexOf('@');
    if (at <= 0) {
      throw new IllegalArgumentException("'" + text + "' is not an e-mail pattern (e.g. *@example.com, ops@example.com)");
    }
    dns(value.substring(at + 1), text);
    return new NamePattern(San.Type.EMAIL, value.substring(0, at) + "@" + value.substring(at + 1).toLowerCase(Locale.ROOT), null, 0);
  }

  private static NamePattern uri(String value, String text) {
    if (value.isEmpty() || !value.contains(":")) {
      throw new IllegalArgumentException("'" + text + "' is not a URI pattern (e.g. spiffe://example.org/*)");
    }
    return new NamePattern(San.Type.URI, value, null, 0);
  }

  /** Whether {@code san} is allowed by this entry. */
  public boolean matches(San san) {
    if (san.type() != type) {
      return false;
    }
    switch (type) {
      case DNS: return dnsMatches(pattern, san.value());
      case IP: return ipMatches(San.parseAddress(san.value()).getAddress());
      case EMAIL: {
        int at = pattern.lastIndexOf('@');
        int sat = san.value().lastIndexOf('@');
        String local = pattern.substring(0, at);
        return (local.equals("*") || local.equals(san.value().substring(0, sat)))
            && dnsMatches(pattern.substring(at + 1), san.value().substring(sat + 1));
      }
      case URI:
        return pattern.endsWith("*")
            ? san.value().startsWith(pattern.substring(0, pattern.length() - 1))
            : san.value().equals(pattern);
      default:
        throw new AssertionError(type);
    }
  }

  private static boolean dnsMatches(String pattern, String name) {
    if (pattern.startsWith("**.")) {
      return name.endsWith(pattern.substring(2)) && name.length() > pattern.length() - 2;
    }
    if (pattern.startsWith("*.")) {
      String parent = pattern.substring(1);
      if (!name.endsWith(parent) || name.length() <= parent.length()) {
        return false;
      }
      String first = name.substring(0, name.length() - parent.length());
      return first.indexOf('.') < 0;
    }
    return name.equals(pattern);
  }

  private boolean ipMatches(byte[] addr) {
    if (addr.length != network.length) {
      return false;
    }
    int full = prefixLength / 8;
    for (int i = 0; i < full; i++) {
      if (addr[i] != network[i]) {
        return false;
      }
    }
    int rem = prefixLength % 8;
    if (rem == 0) {
      return true;
    }
    int mask = (0xff << (8 - rem)) & 0xff;
    return (addr[full] & mask) == (network[full] & mask);
  }

  @Override
  public String toString() {
    return type.prefix() + ":" + pattern;
  }
}
