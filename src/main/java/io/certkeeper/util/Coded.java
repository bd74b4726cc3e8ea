package io.certkeeper.util;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * An enum whose constants people write in a spelling of their own ({@code ec-p256},
 * {@code server-client}, {@code 1h}): the configuration, the command line, files and JSON all use
 * {@link #code()}. {@link Json} writes a coded constant as its code and reads it back from it.
 */
public interface Coded {
  /** The spelling people write, e.g. {@code ec-p256}. */
  String code();

  /** The constant of {@code type} whose code is {@code text} (case-insensitive, surrounding blanks ignored). */
  static <E extends Enum<E> & Coded> Optional<E> find(Class<E> type, String text) {
    if (text == null) {
      return Optional.empty();
    }
    String c = text.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(type.getEnumConstants()).filter(e -> e.code().equals(c)).findFirst();
  }

  /** Every code of {@code type} in declaration order, comma-separated: {@code none, 1h, daily}. */
  static <E extends Enum<E> & Coded> String codes(Class<E> type) {
    return Arrays.stream(type.getEnumConstants()).map(Coded::code).collect(Collectors.joining(", "));
  }
}
