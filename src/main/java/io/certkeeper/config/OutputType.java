package io.certkeeper.config;

import io.certkeeper.util.Coded;

/** What one output file of a managed certificate holds ({@code certificates[].outputs[].type}). */
public enum OutputType implements Coded {
  /** The private key, PKCS#8 PEM. */
  KEY("key", true),
  /** The certificate alone, PEM. */
  CERT("cert", false),
  /** The issuing chain without the certificate, PEM. */
  CHAIN("chain", false),
  /** The certificate followed by its chain, PEM. */
  FULLCHAIN("fullchain", false),
  /** Key and full chain in a password-protected PKCS#12 file. */
  PKCS12("pkcs12", true);

  private final String code;
  private final boolean secret;

  OutputType(String code, boolean secret) {
    this.code = code;
    this.secret = secret;
  }

  @Override
  public String code() {
    return code;
  }

  /** Whether the file holds the private key (default mode 0600, never readable by others). */
  public boolean secret() {
    return secret;
  }

  /** The code, as the configuration writes it. */
  @Override
  public String toString() {
    return code;
  }
}
