package io.certkeeper.serve;

import io.certkeeper.x509.ChainValidator;
import io.certkeeper.x509.Purpose;
import io.certkeeper.x509.TrustAnchors;
import io.certkeeper.x509.ValidationRequest;
import io.certkeeper.x509.ValidationResult;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Decides whether a client certificate may authenticate on a listener with client
 * authentication: the certificate must carry the client profile (an extendedKeyUsage that names
 * id-kp-clientAuth; no EKU or anyExtendedKeyUsage alone is not enough), chain to one of the
 * listener's client CAs under certkeeper's strict validator, and no certificate of the path may be
 * on the current CRLs ({@link CrlView}, read again as soon as a CRL file changes). When the CRLs
 * cannot be trusted every client is refused.
 *
 * <p>The TLS engine runs this check as a delegated task, off the event loop.
 */
final class ClientCertificateVerifier extends X509ExtendedTrustManager {
  static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  private final List<X509Certificate> clientCas;
  private final TrustAnchors anchors;
  private final CrlView crls;
  private final Clock clock;
  private final ChainValidator validator = ChainValidator.strict();

  ClientCertificateVerifier(List<X509Certificate> clientCas, CrlView crls, Clock clock) {
    this.clientCas = List.copyOf(clientCas);
    this.anchors = TrustAnchors.of(clientCas);
    this.crls = Objects.requireNonNull(crls, "crls");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  CrlView crls() {
    return crls;
  }

  /** @throws CertificateException saying in one line why the client is refused */
  void verify(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("no client certificate");
    }
    X509Certificate leaf = chain[0];
    if (!hasClientAuth(leaf)) {
      throw new CertificateException("client certificate '" + leaf.getSubjectX500Principal().getName()
          + "' is not for client authentication (no clientAuth extendedKeyUsage)");
    }
    CrlView.Snapshot now = crls.current();
    if (now.problem().isPresent()) {
      throw new CertificateException("revocation status unknown, refusing client certificates: "
          + now.problem().get());
    }
    ValidationResult r = validator.validate(ValidationRequest.builder(leaf, anchors, clock.instant())
        .untrusted(Arrays.asList(chain).subList(1, chain.length))
        .purpose(Purpose.CLIENT)
        .crls(now.crls())
        .build());
    if (!r.valid()) {
      throw new CertificateException("client certificate refused: " + r.message());
    }
  }

  static boolean hasClientAuth(X509Certificate cert) {
    try {
      List<String> eku = cert.getExtendedKeyUsage();
      return eku != null && eku.contains(CLIENT_AUTH);
    } catch (CertificateParsingException e) {
      return false;
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("a listener does not verify servers");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("a listener does not verify servers");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("a listener does not verify servers");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return clientCas.toArray(new X509Certificate[0]);
  }
}
