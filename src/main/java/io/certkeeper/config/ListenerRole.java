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
  ACME_HTTP("acme-http");

  private final String code;

  ListenerRole(String code) {
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
