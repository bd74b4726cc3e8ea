package io.certkeeper.config;

import io.certkeeper.util.Coded;

/** The format of a listener's keystore ({@code listeners[].certificate.type}). */
public enum KeystoreType implements Coded {
  /** PKCS#12 (the default). */
  PKCS12("pkcs12"),
  /** Java's own keystore format. */
  JKS("jks");

  /** What {@code type} is when not set. */
  public static final KeystoreType DEFAULT = PKCS12;

  private final String code;

  KeystoreType(String code) {
    this.code = code;
  }

  /** The type as written in the configuration; {@link java.security.KeyStore#getInstance(String)} knows it too. */
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
