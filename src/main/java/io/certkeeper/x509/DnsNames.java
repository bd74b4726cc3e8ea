package io.certkeeper.x509;

/**
 * The "preferred name syntax" of RFC 1034 3.5 as amended by RFC 1123 2.1: ASCII letters,
 * digits and hyphens, labels of 1 to 63 characters that neither start nor end with a hyphen,
 * at most 253 characters, and a last label that is not all digits (so an IPv4 address is never a
 * DNS name).
 */
final class DnsNames {
  private static final int MAX_NAME = 253;
  private static final int MAX_LABEL = 63;

  private DnsNames() {}

  /** A host name such as {@code www.example.com}; no wildcard, no leading or trailing dot. */
  static boolean isHostname(String name) {
    return isValid(name);
  }

  /**
   * A subjectAltName dNSName: a host name, or {@code *.} followed by a host name of at least two
   * labels (the wildcard is the whole left-most label, and never the only other label).
   */
  static boolean isPresentedName(String name) {
    if (isWildcard(name)) {
      String base = name.substring(2);
      return isValid(base) && base.indexOf('.') > 0;
    }
    return isValid(name);
  }

  /** Whether {@code name} starts with a wildcard label ({@code *.}). */
  static boolean isWildcard(String name) {
    return name.startsWith("*.");
  }

  /** How many labels {@code name} has. */
  static int labelCount(String name) {
    int count = 1;
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) == '.') {
        count++;
      }
    }
    return count;
  }

  private static boolean isValid(String name) {
    if (name.isEmpty() || name.length() > MAX_NAME) {
      return false;
    }
    int labelStart = 0;
    boolean allDigits = true;
    for (int i = 0; i <= name.length(); i++) {
      char c = i == name.length() ? '.' : name.charAt(i);
      if (c == '.') {
        int length = i - labelStart;
        if (length == 0 || length > MAX_LABEL || name.charAt(labelStart) == '-'
            || name.charAt(i - 1) == '-') {
          return false;
        }
        if (i == name.length() && allDigits) {
          return false;
        }
        labelStart = i + 1;
        allDigits = true;
      } else if (c >= '0' && c <= '9') {
        // digits are fine anywhere
      } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-') {
        allDigits = false;
      } else {
        return false;
      }
    }
    return true;
  }
}
