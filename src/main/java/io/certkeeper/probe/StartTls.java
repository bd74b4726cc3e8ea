package io.certkeeper.probe;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The plain-text protocols whose upgrade to TLS the prober can drive before the handshake. */
public enum StartTls {
  /** SMTP: greeting, {@code EHLO}, {@code STARTTLS} answered with 220. */
  SMTP,
  /** IMAP: greeting, {@code a001 STARTTLS} answered with {@code a001 OK}. */
  IMAP,
  /** POP3: greeting, {@code STLS} answered with {@code +OK}. */
  POP3,
  /** FTP: greeting, {@code AUTH TLS} answered with 234. */
  FTP,
  /** LDAP: the StartTLS extended operation (1.3.6.1.4.1.1466.20037), result code 0. */
  LDAP,
  /** PostgreSQL: the SSLRequest message answered with {@code 'S'}. */
  POSTGRES;

  /** The name as written on the command line: {@code smtp}, {@code imap}... */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a command-line name, case-insensitively. */
  public static StartTls parse(String text) {
    for (StartTls p : values()) {
      if (p.label().equalsIgnoreCase(text.strip())) {
        return p;
      }
    }
    throw new IllegalArgumentException(String.format(Locale.ROOT,
        "unknown STARTTLS protocol '%s' (expected one of %s)", text,
        Arrays.stream(values()).map(StartTls::label).collect(Collectors.joining(", "))));
  }
}
