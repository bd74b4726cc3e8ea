package io.certkeeper.alert;

import java.util.Locale;

/** How bad an alert is, least severe first; routes select by it and mail subjects start with it. */
public enum Severity {
  INFO, WARNING, CRITICAL;

  /** The lowercase name used in configuration, the store and JSON. */
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Severity ofCode(String code) {
    return valueOf(code.toUpperCase(Locale.ROOT));
  }
}
