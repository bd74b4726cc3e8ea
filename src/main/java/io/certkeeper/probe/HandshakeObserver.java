package io.certkeeper.probe;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Records, per SSL engine, what the handshake showed: the server's chain (through a trust manager
 * that accepts everything, so the chain is always captured) and whether the server asked for a
 * client certificate (through a key manager that never offers one).
 *
 * <p>Accepting any chain is safe here because nothing is sent over these connections: the
 * prober closes them right after the handshake and judges the chain separately.
 */
final class HandshakeObserver {
  /** What one engine's handshake showed; written by the TLS callbacks, read after the handshake. */
  static final class Seen {
    volatile X509Certificate[] chain;
    volatile boolean certificateRequested;
  }

  private final Map<SSLEngine, Seen> engines = new ConcurrentHashMap<>();
  private final X509ExtendedTrustManager trustManager = new CapturingTrustManager();
  private final X509ExtendedKeyManager keyManager = new RequestRecordingKeyManager();

  /** Starts recording for an engine; call {@link #forget} when the probe ends. */
  Seen watch(SSLEngine engine) {
    Seen seen = new Seen();
    engines.put(engine, seen);
    return seen;
  }

  void forget(SSLEngine engine) {
    engines.remove(engine);
  }

  int watching() {
    return engines.size();
  }

  X509ExtendedTrustManager trustManager() {
    return trustManager;
  }

  X509ExtendedKeyManager keyManager() {
    return keyManager;
  }

  private void recordChain(SSLEngine engine, X509Certificate[] chain) {
    Seen seen = engine == null ? null : engines.get(engine);
    if (seen != null && chain != null) {
      seen.chain = chain.clone();
    }
  }

  private void recordRequest(SSLEngine engine) {
    Seen seen = engine == null ? null : engines.get(engine);
    if (seen != null) {
      seen.certificateRequested = true;
    }
  }

  private final class CapturingTrustManager extends X509ExtendedTrustManager {
    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
      recordChain(engine, chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
      throw new UnsupportedOperationException("the prober is a client");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
      throw new UnsupportedOperationException("the prober is a client");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
      throw new UnsupportedOperationException("the prober is a client");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  private final class RequestRecordingKeyManager extends X509ExtendedKeyManager {
    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      recordRequest(engine);
      return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return null;
    }
  }
}
