package io.certkeeper.util;

import java.util.Locale;

/** Argument and state checks that put the offending value in the message. */
public final class Preconditions {
  private Preconditions() {}

  /** Throws {@link IllegalArgumentException} with a formatted message unless {@code condition}. */
  public static void requireArgument(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, format, args));
    }
  }

  /** Throws {@link IllegalStateException} with a formatted message unless {@code condition}. */
  public static void requireState(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new IllegalStateException(String.format(Locale.ROOT, format, args));
    }
  }
}
