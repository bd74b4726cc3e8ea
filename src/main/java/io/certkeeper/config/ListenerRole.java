package io.certkeeper.config;

import io.certkeeper.util.Coded;

/** What a listener does after the TLS handshake ({@code listeners[].role}). */
public enum ListenerRole implements Coded {
  /** Echoes bytes back; handy for checks. */
  ECHO("echo"),
  /** Terminates TLS and forwards to a plain TCP {@code backend}. */
  PROXY("proxy"),
  /** The HTTPS admin API. */
  ADMIN("admin"),
  /** Plain HTTP: answers ACME http-01 challenges under {@code /.well-known/acme-challenge/}. */
  ACME_HTTP("acme-http"),
  /** Plain HTTP: the local CA's OCSP responder (RFC 6960, RFC 5019 GET and POST). */
  OCSP("ocsp"),
  /** Plain HTTP: the local CA's CRL and CA certificate at the paths of {@code ca.crl-url} and {@code ca.issuer-url}. */
  PKI("pki");

  private final String code;

  ListenerRole(String code) {
    this.code = code;
  }

  @Override
  public String code() {
    return code;
  }

  /** Whether listeners of this role serve plain HTTP and have no certificate ({@code acme-http}, {@code ocsp}, {@code pki}). */
  public boolean isPlainHttp() {
    return this == ACME_HTTP || this == OCSP || this == PKI;
  }

  /** The code, as the configuration writes it. */
  @Override
  public String toString() {
    return code;
  }
}
