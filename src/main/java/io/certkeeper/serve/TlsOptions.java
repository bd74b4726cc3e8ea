package io.certkeeper.serve;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * TLS settings of a listener.
 *
 * @param protocols enabled versions, e.g. TLSv1.3 and TLSv1.2
 * @param ciphers enabled suites; empty for the implementation's secure defaults
 * @param clientAuth whether clients must present a certificate
 * @param clientCas the anchors client certificates must chain to
 */
public record TlsOptions(List<String> protocols, List<String> ciphers, ClientAuth clientAuth,
    List<X509Certificate> clientCas) {

  /** How client certificates are handled. */
  public enum ClientAuth {
    NONE, OPTIONAL, REQUIRE
  }

  public TlsOptions {
    protocols = List.copyOf(protocols);
    ciphers = List.copyOf(ciphers);
    clientCas = List.copyOf(clientCas);
    Objects.requireNonNull(clientAuth, "clientAuth");
    if (clientAuth != ClientAuth.NONE && clientCas.isEmpty()) {
      throw new IllegalArgumentException("client authentication needs trust anchors for client certificates");
    }
  }

  /** TLS 1.3 and 1.2, default suites, no client certificates. */
  public static TlsOptions defaults() {
    return new TlsOptions(List.of("TLSv1.3", "TLSv1.2"), List.of(), ClientAuth.NONE, List.of());
  }
}
