package io.certkeeper.x509;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Turns a literal into an address without any name lookup; null when it is not one. */
final class IpLiterals {
  private IpLiterals() {}

  static InetAddress parse(String text) {
    byte[] v4 = parseIpv4(text);
    try {
      if (v4 != null) {
        return InetAddress.getByAddress(v4);
      }
      String v6 = text.startsWith("[") && text.endsWith("]")
          ? text.substring(1, text.length() - 1) : text;
      if (v6.indexOf(':') < 0 || !v6.chars().allMatch(IpLiterals::isIpv6Char)) {
        return null;
      }
      // Only hex digits, ':' and '.': the JDK parses this as a literal and never resolves it.
      return InetAddress.getByName(v6);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static boolean isIpv6Char(int c) {
    return Character.digit(c, 16) >= 0 || c == ':' || c == '.';
  }

  /** Strict dotted decimal: four octets, no leading zeros, nothing else. */
  static byte[] parseIpv4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      String part = parts[i];
      if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')
          || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return null;
      }
      int value = Integer.parseInt(part);
      if (value > 255) {
        return null;
      }
      out[i] = (byte) value;
    }
    return out;
  }
}
