package io.certkeeper.config;

import io.certkeeper.util.Coded;

/**
 * A TLS version a listener may speak ({@code listeners[].tls.protocols}). Written in any case in
 * the configuration; {@link #protocolName()} is the JDK's and Netty's spelling, which
 * {@code config check} prints.
 */
public enum TlsProtocol implements Coded {
  TLS_1_3("tlsv1.3", "TLSv1.3"),
  TLS_1_2("tlsv1.2", "TLSv1.2");

  private final String code;
  private final String protocolName;

  TlsProtocol(String code, String protocolName) {
    this.code = code;
    this.protocolName = protocolName;
  }

  @Override
  public String code() {
    return code;
  }

  /** {@code TLSv1.3} or {@code TLSv1.2}. */
  public String protocolName() {
    return protocolName;
  }

  /** The protocol name, as {@code config check} prints it. */
  @Override
  public String toString() {
    return protocolName;
  }
}
