package io.certkeeper.config;

import io.certkeeper.util.Coded;

/** How an ACME server checks that we control a name ({@code certificates[].challenge}). */
public enum AcmeChallenge implements Coded {
  /** A token under {@code /.well-known/acme-challenge/} on port 80 (a {@code role: acme-http} listener). */
  HTTP_01("http-01"),
  /** A validation certificate on port 443 for ALPN {@code acme-tls/1} (RFC 8737). */
  TLS_ALPN_01("tls-alpn-01"),
  /** A TXT record under {@code _acme-challenge.}, set by a hook. */
  DNS_01("dns-01");

  private final String code;

  AcmeChallenge(String code) {
    this.code = code;
  }

  @Override
  public String code() {
    return code;
  }

  @Override
  public String toString() {
    return code;
  }
}
