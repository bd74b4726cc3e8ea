package io.certkeeper.serve;

import io.certkeeper.x509.Fingerprints;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Proves a freshly built server context before it is swapped in: a complete TLS handshake in
 * memory (no socket) between an engine of the new context and a client that accepts any
 * certificate, which must be shown the expected leaf.
 */
final class SelfTest {
  private SelfTest() {}

  /**
   * Returns the SHA-256 of the leaf the context presents.
   *
   * @throws SSLException when the handshake fails
   */
  static String presentedLeaf(SslContext server) throws SSLException {
    SSLEngine s = server.newEngine(ByteBufAllocator.DEFAULT);
    try {
      SSLContext clientCtx = SSLContext.getInstance("TLS");
      clientCtx.init(null, new TrustManager[] {new AcceptAll()}, null);
      SSLEngine c = clientCtx.createSSLEngine("certkeeper-self-test", 443);
      c.setUseClientMode(true);
      s.setUseClientMode(false);
      handshake(c, s);
      Certificate[] peer = c.getSession().getPeerCertificates();
      c.closeOutbound();
      return Fingerprints.sha256((X509Certificate) peer[0]);
    } catch (java.security.GeneralSecurityException e) {
      throw new SSLException("self-test client: " + e.getMessage(), e);
    } finally {
      if (s instanceof io.netty.util.ReferenceCounted rc) {
        rc.release();
      }
    }
  }

  private static void handshake(SSLEngine client, SSLEngine server) throws SSLException {
    int size = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize()) * 2;
    ByteBuffer c2s = ByteBuffer.allocate(size);
    ByteBuffer s2c = ByteBuffer.allocate(size);
    ByteBuffer appIn = ByteBuffer.allocate(Math.max(client.getSession().getApplicationBufferSize(),
        server.getSession().getApplicationBufferSize()) * 2);
    ByteBuffer empty = ByteBuffer.allocate(0);
    client.beginHandshake();
    server.beginHandshake();
    for (int round = 0; round < 200; round++) {
      step(client, empty, c2s, s2c, appIn);
      step(server, empty, s2c, c2s, appIn);
      if (done(client) && done(server)) {
        return;
      }
    }
    throw new SSLException("handshake did not complete");
  }

  private static boolean done(SSLEngine e) {
    SSLEngineResult.HandshakeStatus hs = e.getHandshakeStatus();
    return hs == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING || hs == SSLEngineResult.HandshakeStatus.FINISHED;
  }

  /** One step of an engine: run tasks, wrap into its outbox, unwrap from its inbox. */
  private static void step(SSLEngine e, ByteBuffer empty, ByteBuffer out, ByteBuffer in, ByteBuffer appIn)
      throws SSLException {
    Runnable task;
    while ((task = e.getDelegatedTask()) != null) {
      task.run();
    }
    e.wrap(empty, out);
    in.flip();
    if (in.hasRemaining()) {
      SSLEngineResult r;
      do {
        appIn.clear();
        r = e.unwrap(in, appIn);
        while ((task = e.getDelegatedTask()) != null) {
          task.run();
        }
      } while (r.getStatus() == SSLEngineResult.Status.OK && in.hasRemaining()
          && r.bytesConsumed() > 0);
    }
    in.compact();
  }

  /** The self-test client trusts anything: it only reads which certificate is presented. */
  private static final class AcceptAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
