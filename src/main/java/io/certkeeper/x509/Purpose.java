package io.certkeeper.x509;

/** What the leaf certificate is being validated for: a TLS server or a TLS client. */
public enum Purpose {
  /** A TLS server: extendedKeyUsage must allow id-kp-serverAuth. */
  SERVER,
  /** A TLS client: extendedKeyUsage must allow id-kp-clientAuth. */
  CLIENT
}
