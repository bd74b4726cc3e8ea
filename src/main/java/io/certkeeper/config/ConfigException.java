package io.certkeeper.config;

import io.certkeeper.util.Printable;

/**
 * A configuration mistake. The message is one line that names the file, the line and the key,
 * e.g. {@code /etc/certkeeper/certkeeper.yaml:12: store.pool-size: expected an integer, got 'ten'}.
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Longest message kept: a value quoted from the file cannot flood a log line. */
  private static final int MAX_MESSAGE = 2048;

  /**
   * {@code message} is shown on one line: control characters in values quoted from the file
   * ({@code "warn\nERROR forged"}) appear escaped, so they cannot forge log or terminal lines.
   */
  public ConfigException(String message) {
    super(Printable.line(message, MAX_MESSAGE));
  }

  public ConfigException(String message, Throwable cause) {
    super(Printable.line(message, MAX_MESSAGE), cause);
  }
}
