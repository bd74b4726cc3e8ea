package io.certkeeper.util;

import java.util.Collection;

/**
 * Text from outside (a certificate's subject, issuer or SANs, a peer's alert, an error message
 * that quotes one) made safe to show on one line of a terminal, a log, a mail header or body.
 *
 * <p>C0 controls, DEL, C1 controls, the bidirectional overrides, embeddings, isolates and marks
 * (U+061C, U+200E/F, U+202A–202E, U+2066–2069), the line and paragraph separators (U+2028/9) and
 * unpaired surrogates become visible escapes: {@code \r}, {@code \n}, {@code \t}, otherwise
 * {@code \}{@code u202e}. A subject {@code CN=x\r\nBcc: evil} therefore stays one line and can
 * neither add a mail header nor a table row, and {@code U+202E} cannot reverse what follows.
 * Backslashes are left alone (distinguished names escape with them), so the form is for reading,
 * not for parsing back. JSON output needs none of this: its encoder escapes on its own.
 */
public final class Printable {
  /** Longer text is cut, with {@code …}: a display line, not a document. */
  public static final int DEFAULT_MAX = 1024;

  private static final String ELLIPSIS = "…";

  private Printable() {}

  /** {@code s} escaped and cut to {@link #DEFAULT_MAX} characters; {@code "null"} for null. */
  public static String line(String s) {
    return line(s, DEFAULT_MAX);
  }

  /** {@code s} escaped and cut to at most {@code max} characters (an escape is never split). */
  public static String line(String s, int max) {
    Preconditions.requireArgument(max >= 8, "max must be at least 8, got %s", max);
    if (s == null) {
      return "null";
    }
    if (s.length() <= max && isPlain(s)) {
      return s;
    }
    StringBuilder b = new StringBuilder(Math.min(s.length() + 16, max + 1));
    int limit = max - ELLIPSIS.length();
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      int n = Character.charCount(cp);
      String piece = escape(s, i, cp);
      boolean last = i + n >= s.length();
      if (b.length() + piece.length() > (last ? max : limit)) {
        return b.append(ELLIPSIS).toString();
      }
      b.append(piece);
      i += n;
    }
    return b.toString();
  }

  /** {@link Object#toString()} of {@code o}, then {@link #line(String)}. */
  public static String line(Object o) {
    return line(o == null ? null : o.toString());
  }

  /** Each of {@code items} made printable, joined with {@code ", "}, the whole cut to {@link #DEFAULT_MAX}. */
  public static String join(Collection<String> items) {
    StringBuilder b = new StringBuilder();
    for (String s : items) {
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(line(s));
      if (b.length() > DEFAULT_MAX) {
        break;
      }
    }
    return line(b.toString());
  }

  /** Whether {@code cp} is shown escaped. */
  static boolean needsEscape(int cp) {
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)
        || cp == 0x061c || cp == 0x200e || cp == 0x200f
        || cp == 0x2028 || cp == 0x2029
        || (cp >= 0x202a && cp <= 0x202e)
        || (cp >= 0x2066 && cp <= 0x2069)
        || Character.isSurrogate((char) cp) && cp <= 0xffff;
  }

  private static boolean isPlain(String s) {
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      if (needsEscape(cp)) {
        return false;
      }
      i += Character.charCount(cp);
    }
    return true;
  }

  private static String escape(String s, int i, int cp) {
    if (!needsEscape(cp)) {
      return s.substring(i, i + Character.charCount(cp));
    }
    switch (cp) {
      case '\r': return "\\r";
      case '\n': return "\\n";
      case '\t': return "\\t";
      default: return String.format(java.util.Locale.ROOT, "\\u%04x", cp);
    }
  }
}
