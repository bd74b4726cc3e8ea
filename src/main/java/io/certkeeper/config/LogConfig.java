package io.certkeeper.config;

/**
 * {@code log:} — how much the daemon logs.
 *
 * @param level {@code error}, {@code warn}, {@code info} (default), {@code debug} or {@code trace};
 *     {@code --verbose} raises it to {@code debug}
 */
public record LogConfig(String level) {
  public static final String DEFAULT_LEVEL = "info";

  static LogConfig read(ConfigNode n) throws ConfigException {
    n.allowOnly("level");
    return new LogConfig(n.choice("level", "error", "warn", "info", "debug", "trace").orElse(DEFAULT_LEVEL));
  }

  public static LogConfig defaults() {
    return new LogConfig(DEFAULT_LEVEL);
  }
}
