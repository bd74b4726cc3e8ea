package io.certkeeper.x509;

import java.util.Arrays;
import java.util.Locale;

/**
 * Matches the expected peer name against the leaf's subjectAltName, the way a TLS client must
 * (RFC 6125 / RFC 9525, CA/Browser Forum): only SAN entries of the same kind count, the subject
 * common name is never used, a wildcard is only a whole left-most label standing for exactly
 * one label, and never spans a public suffix.
 */
final class HostnameMatcher {
  private HostnameMatcher() {}

  /** Null when {@code leaf} is valid for {@code name}, else why not. */
  static Finding check(ParsedCertificate leaf, PeerName name) {
    boolean matched;
    if (name instanceof PeerName.Dns dns) {
      matched = matchesDns(leaf, dns.name());
    } else if (name instanceof PeerName.Ip ip) {
      matched = matchesIp(leaf, ip.address().getAddress());
    } else {
      matched = matchesEmail(leaf, ((PeerName.Email) name).address());
    }
    if (matched) {
      return null;
    }
    if (leaf.subjectAltNames.isEmpty()) {
      return new Finding(Problem.HOSTNAME_MISMATCH, "has no subjectAltName, so it is valid for no "
          + "name (the common name is not used), not for '" + name + "'");
    }
    return new Finding(Problem.HOSTNAME_MISMATCH, "is not valid for '" + name + "'");
  }

  static boolean matchesDns(ParsedCertificate leaf, String host) {
    String reference = host.toLowerCase(Locale.ROOT);
    if (!DnsNames.isHostname(reference)) {
      return false;
    }
    for (String presented : leaf.dnsNames) {
      if (dnsMatches(presented.toLowerCase(Locale.ROOT), reference)) {
        return true;
      }
    }
    return false;
  }

  /** {@code presented} is a valid SAN dNSName in lower case, {@code reference} a host name. */
  static boolean dnsMatches(String presented, String reference) {
    if (!DnsNames.isWildcard(presented)) {
      return presented.equals(reference);
    }
    String base = presented.substring(2);
    int dot = reference.indexOf('.');
    return dot > 0 && reference.substring(dot + 1).equals(base)
        && !PublicSuffixes.bundled().isPublicSuffix(base);
  }

  private static boolean matchesIp(ParsedCertificate leaf, byte[] address) {
    for (byte[] presented : leaf.ipAddresses) {
      if (Arrays.equals(presented, address)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matchesEmail(ParsedCertificate leaf, String address) {
    int at = address.lastIndexOf('@');
    String local = address.substring(0, at);
    String domain = address.substring(at + 1);
    for (String presented : leaf.emails) {
      int pat = presented.lastIndexOf('@');
      if (presented.substring(0, pat).equals(local)
          && presented.substring(pat + 1).equalsIgnoreCase(domain)) {
        return true;
      }
    }
    return false;
  }
}
