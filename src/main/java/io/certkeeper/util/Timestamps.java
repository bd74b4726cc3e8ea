package io.certkeeper.util;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * The one way certkeeper writes a point in time for people and programs: RFC 3339 in UTC, whole
 * seconds, {@code 2026-11-23T10:44:37Z}. Every {@code --json} output (through {@link Json}) and
 * every table uses it, so a value read from one output compares with a value from another.
 * Certificate validity is whole seconds anyway; nothing certkeeper reports needs finer times.
 */
public final class Timestamps {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private Timestamps() {}

  /** {@code t} truncated to the second, as {@code 2026-11-23T10:44:37Z}; {@code null} stays {@code null}. */
  public static String format(Instant t) {
    return t == null ? null : FORMAT.format(t.truncatedTo(ChronoUnit.SECONDS));
  }

  /** As {@link #format}, but {@code -} for no time, for tables. */
  public static String orDash(Instant t) {
    return t == null ? "-" : format(t);
  }
}
