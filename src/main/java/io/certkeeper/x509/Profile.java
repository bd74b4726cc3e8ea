package io.certkeeper.x509;

/**
 * Which rules beyond RFC 5280 path validation apply. The prober and TLS use {@link #WEBPKI}.
 */
public enum Profile {
  /**
   * RFC 5280 plus the CA/Browser Forum rules a TLS client applies: RSA keys of at least 2048 bits,
   * named P-256/384/521 curves, no SHA-1 or DSA signatures below the anchor, the certificate
   * profile (critical basicConstraints on CAs, key identifiers, serial numbers).
   */
  WEBPKI,
  /**
   * Plain RFC 5280 section 6: RSA keys of at least 1024 bits, SHA-1 and DSA accepted, no
   * CA/Browser Forum profile rules. MD5 signatures stay refused.
   */
  RFC5280
}
