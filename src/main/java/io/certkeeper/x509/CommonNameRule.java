package io.certkeeper.x509;

import java.net.IDN;
import java.util.Arrays;
import java.util.Locale;

/**
 * CA/Browser Forum BR 7.1.4.3: a server certificate's subject common name, when present, is a
 * character-for-character copy of one of its subjectAltName entries (an IP address in its
 * canonical text: dotted decimal, or RFC 5952 for IPv6). The CN is never used to match the peer
 * name; this rule catches a CN that names the same host or address as a SAN entry but spells it
 * differently (other case, U-label for A-label, leading zeros, hex or uncompressed IPv6), which
 * other software may read differently. A CN naming something else entirely is left alone: many
 * private certificates carry a descriptive CN, and it never grants anything here.
 */
final class CommonNameRule {
  private CommonNameRule() {}

  /** The finding for the first offending CN of a server leaf, or null. */
  static Finding check(ParsedCertificate leaf) {
    for (String cn : leaf.commonNames) {
      String twin = sameNameSpelledDifferently(cn, leaf);
      if (twin != null) {
        return new Finding(Problem.MALFORMED, "has the subject common name '"
            + ParsedCertificate.printable(cn) + "', which names the subjectAltName entry '"
            + twin + "' but is not a copy of it");
      }
    }
    return null;
  }

  private static String sameNameSpelledDifferently(String cn, ParsedCertificate leaf) {
    if (leaf.dnsNames.contains(cn)) {
      return null;
    }
    for (byte[] address : leaf.ipAddresses) {
      String canonical = ipText(address);
      if (canonical.equals(cn)) {
        return null;
      }
    }
    String ascii = toAscii(cn);
    for (String dns : leaf.dnsNames) {
      if (dns.equalsIgnoreCase(cn) || dns.equalsIgnoreCase(ascii)) {
        return dns;
      }
    }
    byte[] parsed = lenientAddress(cn);
    for (byte[] address : leaf.ipAddresses) {
      if (Arrays.equals(address, parsed)) {
        return ipText(address);
      }
    }
    return null;
  }

  private static String toAscii(String name) {
    try {
      return IDN.toASCII(name, IDN.ALLOW_UNASSIGNED);
    } catch (IllegalArgumentException e) {
      return name;
    }
  }

  /** How inet_aton and IPv6 parsers would read {@code text}: hex, octal, short forms; or null. */
  static byte[] lenientAddress(String text) {
    if (text.indexOf(':') >= 0) {
      java.net.InetAddress address = IpLiterals.parse(text);
      return address == null ? null : address.getAddress();
    }
    String[] parts = text.split("\\.", -1);
    if (parts.length < 1 || parts.length > 4) {
      return null;
    }
    long[] values = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      values[i] = inetAtonNumber(parts[i]);
      if (values[i] < 0) {
        return null;
      }
    }
    long value = 0;
    for (int i = 0; i < parts.length - 1; i++) {
      if (values[i] > 255) {
        return null;
      }
      value |= values[i] << (8 * (3 - i));
    }
    long last = values[parts.length - 1];
    if (last >= 1L << (8 * (4 - (parts.length - 1)))) {
      return null;
    }
    value |= last;
    return new byte[] {(byte) (value >> 24), (byte) (value >> 16), (byte) (value >> 8),
        (byte) value};
  }

  private static long inetAtonNumber(String part) {
    try {
      if (part.startsWith("0x") || part.startsWith("0X")) {
        return part.length() > 2 && part.length() <= 10 ? Long.parseLong(part.substring(2), 16) : -1;
      }
      if (part.isEmpty() || part.length() > 12 || !part.chars().allMatch(Character::isDigit)) {
        return -1;
      }
      return part.length() > 1 && part.startsWith("0")
          ? Long.parseLong(part, 8) : Long.parseLong(part);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Dotted decimal for IPv4, RFC 5952 (lower case, longest zero run as "::") for IPv6. */
  static String ipText(byte[] address) {
    if (address.length == 4) {
      return (address[0] & 0xff) + "." + (address[1] & 0xff) + "." + (address[2] & 0xff) + "."
          + (address[3] & 0xff);
    }
    if (address.length != 16) {
      return "invalid address";
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((address[2 * i] & 0xff) << 8) | (address[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]).toLowerCase(Locale.ROOT));
    }
    return out.toString();
  }
}
