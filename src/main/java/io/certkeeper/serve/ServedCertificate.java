package io.certkeeper.serve;

import io.certkeeper.x509.Fingerprints;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Asks a listener over a real connection which certificate it serves: the closed loop after a
 * swap. The chain is read as the server presents it, also when the handshake then fails because
 * the listener requires a client certificate.
 */
public final class ServedCertificate {
  private ServedCertificate() {}

  /**
   * SHA-256 of the leaf served at {@code address}.
   *
   * @throws IOException when nothing could be read within {@code timeout}
   */
  public static String sha256(InetSocketAddress address, Duration timeout) throws IOException {
    AtomicReference<X509Certificate> seen = new AtomicReference<>();
    SSLContext ctx;
    try {
      ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
          seen.set(chain[0]);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      }}, null);
    } catch (GeneralSecurityException e) {
      throw new IOException("TLS client: " + io.certkeeper.util.ErrorText.reason(e), e);
    }
    int ms = (int) timeout.toMillis();
    try (Socket raw = new Socket()) {
      raw.connect(address, ms);
      raw.setSoTimeout(ms);
      try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, "localhost", address.getPort(), false)) {
        try {
          s.startHandshake();
        } catch (IOException e) {
          if (seen.get() == null) {
            throw e;
          }
        }
      }
    }
    if (seen.get() == null) {
      throw new IOException(address + " presented no certificate");
    }
    return Fingerprints.sha256(seen.get());
  }
}
