package io.certkeeper.util;

/** Removes secrets from text that is about to be shown or logged. */
public final class Redaction {
  private Redaction() {}

  /** A URL with any inline password ({@code password=...} or {@code user:pass@}) replaced by {@code ****}. */
  public static String url(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1****")
        .replaceAll("(//[^/:@]+:)[^@/]*@", "$1****@");
  }
}
