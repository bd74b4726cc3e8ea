package io.certkeeper.probe;

import java.util.Locale;

/** The steps of a probe, in order; failures name the step they happened in. */
public enum ProbeStep {
  DNS,
  CONNECT,
  PROXY,
  STARTTLS,
  HANDSHAKE;

  /** Lower-case name used in messages: {@code dns}, {@code connect}... */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
