package io.certkeeper.config;

import io.certkeeper.util.Coded;

/** How alert mail is protected on its way to the server ({@code smtp.security}). */
public enum SmtpSecurity implements Coded {
  /** Plain text, for a local relay. */
  NONE("none", 25),
  /** Plain connection upgraded with STARTTLS; the upgrade is required, never skipped. */
  STARTTLS("starttls", 587),
  /** TLS from the first byte. */
  SMTPS("smtps", 465);

  /** What {@code smtp.security} is when not set. */
  public static final SmtpSecurity DEFAULT = STARTTLS;

  private final String code;
  private final int defaultPort;

  SmtpSecurity(String code, int defaultPort) {
    this.code = code;
    this.defaultPort = defaultPort;
  }

  @Override
  public String code() {
    return code;
  }

  /** The port used when {@code smtp.port} is not set: 25, 587 or 465. */
  public int defaultPort() {
    return defaultPort;
  }

  /** The code, as the configuration writes it. */
  @Override
  public String toString() {
    return code;
  }
}
