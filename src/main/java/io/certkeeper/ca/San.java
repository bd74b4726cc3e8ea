package io.certkeeper.ca;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x509.GeneralName;

/**
 * One subject alternative name, checked for syntax: {@code dns:} a host name (a leftmost
 * {@code *} label makes a wildcard), {@code ip:} an IPv4 or IPv6 literal, {@code email:} an
 * address, {@code uri:} an absolute URI. Written as {@code type:value}, the way {@code --san},
 * CSRs read by certkeeper and {@code CertificateInfo} show them.
 */
public record San(Type type, String value) {
  /** The four kinds of name a certificate from this CA may carry. */
  public enum Type {
    DNS("dns"), IP("ip"), EMAIL("email"), URI("uri");

    private final String prefix;

    Type(String prefix) {
      this.prefix = prefix;
    }

    public String prefix() {
      return prefix;
    }
  }

  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
  private static final Pattern EMAIL_LOCAL = Pattern.compile("[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}");

  public San {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(value, "value");
  }

  /**
   * Parses {@code dns:NAME}, {@code ip:ADDR}, {@code email:ADDR} or {@code uri:URI}.
   *
   * @throws IllegalArgumentException naming the text and what is wrong with it
   */
  public static San parse(String text) {
    int colon = text.indexOf(':');
    String prefix = colon < 0 ? "" : text.substring(0, colon).toLowerCase(Locale.ROOT);
    String value = colon < 0 ? "" : text.substring(colon + 1);
    switch (prefix) {
      case "dns": return dns(value);
      case "ip": return ip(value);
      case "email": return email(value);
      case "uri": return uri(value);
      default:
        throw new IllegalArgumentException("'" + text + "' is not a SAN (expected dns:NAME, ip:ADDR, email:ADDR or uri:URI)");
    }
  }

  /** A DNS name, lowercased; a leftmost {@code *} label is allowed. */
  public static San dns(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (!isDnsName(n, true)) {
      throw new IllegalArgumentException("'" + name + "' is not a valid DNS name");
    }
    return new San(Type.DNS, n);
  }

  /** An IP address literal, in its canonical form. */
  public static San ip(String address) {
    return new San(Type.IP, parseAddress(address).getHostAddress());
  }

  public static San email(String address) {
    int at = address.lastIndexOf('@');
    if (at <= 0 || !EMAIL_LOCAL.matcher(address.substring(0, at)).matches()
        || !isDnsName(address.substring(at + 1).toLowerCase(Locale.ROOT), false)) {
      throw new IllegalArgumentException("'" + address + "' is not a valid e-mail address");
    }
    return new San(Type.EMAIL, address.substring(0, at) + "@" + address.substring(at + 1).toLowerCase(Locale.ROOT));
  }

  public static San uri(String text) {
    try {
      URI u = new URI(text);
      if (!u.isAbsolute() || !text.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw new IllegalArgumentException("'" + text + "' is not an absolute ASCII URI");
      }
      return new San(Type.URI, text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + text + "' is not a valid URI: " + e.getReason(), e);
    }
  }

  /**
   * The SAN a common name stands for: an IP literal as {@code ip:}, an address with {@code @} as
   * {@code email:}, anything else must be a DNS name.
   */
  public static San forCommonName(String cn) {
    if (isIpLiteral(cn)) {
      return ip(cn);
    }
    if (cn.indexOf('@') >= 0) {
      return email(cn);
    }
    try {
      return dns(cn);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("common name '" + cn
          + "' is neither a DNS name, an IP address nor an e-mail address; it must be one, since it is also a SAN");
    }
  }

  /** {@code sans} with the SAN of {@code cn} first, duplicates removed, order kept. */
  public static List<San> withCommonName(String cn, List<San> sans) {
    LinkedHashSet<San> all = new LinkedHashSet<>();
    all.add(forCommonName(cn));
    all.addAll(sans);
    return new ArrayList<>(all);
  }

  static boolean isDnsName(String n, boolean wildcardAllowed) {
    if (n.isEmpty() || n.length() > 253) {
      return false;
    }
    String[] labels = n.split("\\.", -1);
    for (int i = 0; i < labels.length; i++) {
      if (i == 0 && wildcardAllowed && labels[i].equals("*") && labels.length > 2) {
        continue;
      }
      if (!LABEL.matcher(labels[i]).matches()) {
        return false;
      }
    }
    return true;
  }

  static boolean isIpLiteral(String s) {
    return IPV4.matcher(s).matches() || (s.indexOf(':') >= 0 && s.matches("[0-9A-Fa-f:.]+"));
  }

  /** Parses an IPv4 or IPv6 literal without ever asking DNS. */
  static InetAddress parseAddress(String s) {
    var m = IPV4.matcher(s);
    try {
      if (m.matches()) {
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
          int octet = Integer.parseInt(m.group(i + 1));
          if (octet > 255 || (m.group(i + 1).length() > 1 && m.group(i + 1).startsWith("0"))) {
            throw new IllegalArgumentException("'" + s + "' is not a valid IP address");
          }
          b[i] = (byte) octet;
        }
        return InetAddress.getByAddress(b);
      }
      if (s.indexOf(':') >= 0 && s.matches("[0-9A-Fa-f:.]+")) {
        return InetAddress.getByName(s); // a literal with ':' is parsed, never looked up
      }
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + s + "' is not a valid IP address", e);
    }
    throw new IllegalArgumentException("'" + s + "' is not a valid IP address");
  }

  GeneralName toGeneralName() {
    switch (type) {
      case DNS: return new GeneralName(GeneralName.dNSName, value);
      case IP: return new GeneralName(GeneralName.iPAddress, value);
      case EMAIL: return new GeneralName(GeneralName.rfc822Name, value);
      case URI: return new GeneralName(GeneralName.uniformResourceIdentifier, value);
      default: throw new AssertionError(type);
    }
  }

  @Override
  public String toString() {
    return type.prefix() + ":" + value;
  }
}
