package io.certkeeper.serve;

import java.nio.file.Path;
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
 * @param crlFiles CRLs client certificates are checked against (see {@link CrlView}); read again
 *     whenever one changes
 * @param crlIssuers the certificates that may sign those CRLs (the client CAs, and the local CA's
 *     intermediate when it issues the clients)
 */
public record TlsOptions(List<String> protocols, List<String> ciphers, ClientAuth clientAuth,
    List<X509Certificate> clientCas, List<Path> crlFiles, List<X509Certificate> crlIssuers) {

  /** How client certificates are handled. */
  public enum ClientAuth {
    NONE, OPTIONAL, REQUIRE
  }

  public TlsOptions {
    protocols = List.copyOf(protocols);
    ciphers = List.copyOf(ciphers);
    clientCas = List.copyOf(clientCas);
    crlFiles = List.copyOf(crlFiles);
    crlIssuers = List.copyOf(crlIssuers);
    Objects.requireNonNull(clientAuth, "clientAuth");
    if (clientAuth != ClientAuth.NONE && clientCas.isEmpty()) {
      throw new IllegalArgumentException("client authentication needs trust anchors for client certificates");
    }
    if (clientAuth == ClientAuth.NONE && !crlFiles.isEmpty()) {
      throw new IllegalArgumentException("CRL files are only used with client authentication");
    }
  }

  /** Settings without CRLs. */
  public TlsOptions(List<String> protocols, List<String> ciphers, ClientAuth clientAuth,
      List<X509Certificate> clientCas) {
    this(protocols, ciphers, clientAuth, clientCas, List.of(), List.of());
  }

  /** TLS 1.3 and 1.2, default suites, no client certificates. */
  public static TlsOptions defaults() {
    return new TlsOptions(List.of("TLSv1.3", "TLSv1.2"), List.of(), ClientAuth.NONE, List.of());
  }
}
