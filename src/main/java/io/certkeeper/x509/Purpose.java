package io.certkeeper.x509;

/** What the leaf certificate is being validated for. */
public enum Purpose {
  /** A TLS server: extendedKeyUsage must allow id-kp-serverAuth. */
  SERVER,
  /** A TLS client: extendedKeyUsage must allow id-kp-clientAuth. */
  CLIENT,
  /** Any purpose: extendedKeyUsage is not looked at (plain RFC 5280 path validation). */
  ANY
}
