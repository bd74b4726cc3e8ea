package io.certkeeper.config;

/**
 * A configuration mistake. The message is one line that names the file, the line and the key,
 * e.g. {@code /etc/certkeeper/certkeeper.yaml:12: store.pool-size: expected an integer, got 'ten'}.
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
