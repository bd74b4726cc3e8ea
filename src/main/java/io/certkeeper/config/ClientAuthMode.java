package io.certkeeper.config;

import io.certkeeper.util.Coded;

/** Whether a listener asks clients for a certificate ({@code listeners[].tls.client-auth}). */
public enum ClientAuthMode implements Coded {
  /** No client certificates (the default). */
  NONE("none"),
  /** Asked for, not required; a certificate that is presented must be valid. */
  OPTIONAL("optional"),
  /** Every client must present a valid certificate. */
  REQUIRE("require");

  private final String code;

  ClientAuthMode(String code) {
    this.code = code;
  }

  @Override
  public String code() {
    return code;
  }

  /** The code, as the configuration writes it. */
  @Override
  public String toString() {
    return code;
  }
}
