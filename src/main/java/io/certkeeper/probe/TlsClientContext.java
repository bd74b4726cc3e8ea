package io.certkeeper.probe;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * The one client {@link SslContext} all modern handshakes share, built once: BoringSSL through
 * netty-tcnative when it loads (fast, and it returns stapled OCSP responses), else the JDK.
 *
 * <p>It offers every protocol and suite the provider has, trusts any chain (recording it through
 * a {@link HandshakeObserver}), never sends a client certificate, does no hostname check (the
 * judge does that), asks for an OCSP staple, and never resumes a session: each probe is a full
 * handshake that shows the chain.
 */
final class TlsClientContext {
  private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1");

  private final SslContext context;
  private final SslProvider provider;
  private final HandshakeObserver observer;

  private TlsClientContext(SslContext context, SslProvider provider, HandshakeObserver observer) {
    this.context = context;
    this.provider = provider;
    this.observer = observer;
  }

  /** Builds the shared context with the fastest provider available. */
  static TlsClientContext create() {
    return create(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK);
  }

  static TlsClientContext create(SslProvider provider) {
    HandshakeObserver observer = new HandshakeObserver();
    SslContextBuilder builder = SslContextBuilder.forClient()
        .sslProvider(provider)
        .trustManager(observer.trustManager())
        .keyManager(observer.keyManager())
        .endpointIdentificationAlgorithm(null);
    List<String> protocols = new ArrayList<>(PROTOCOLS);
    if (provider == SslProvider.JDK) {
      protocols.retainAll(jdkProtocols());
    }
    builder.protocols(protocols);
    if (provider != SslProvider.JDK) {
      builder.ciphers(OpenSsl.availableJavaCipherSuites(),
          IdentityCipherSuiteFilter.INSTANCE_DEFAULTING_TO_SUPPORTED_CIPHERS);
      builder.enableOcsp(OpenSsl.isOcspSupported());
    }
    try {
      return new TlsClientContext(builder.build(), provider, observer);
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build the TLS client context with " + provider, e);
    }
  }

  SslProvider provider() {
    return provider;
  }

  HandshakeObserver observer() {
    return observer;
  }

  /** A new handler for one connection; SNI is set when {@code sniName} is non-null. */
  SslHandler newHandler(ByteBufAllocator alloc, String sniName) {
    SslHandler handler = context.newHandler(alloc);
    if (sniName != null) {
      SSLEngine engine = handler.engine();
      SSLParameters params = engine.getSSLParameters();
      params.setServerNames(List.of(new SNIHostName(sniName)));
      engine.setSSLParameters(params);
    }
    return handler;
  }

  /** The stapled OCSP response the server sent, or null. */
  static byte[] stapledOcsp(SSLEngine engine) {
    if (engine instanceof ReferenceCountedOpenSslEngine openSsl) {
      byte[] response = openSsl.getOcspResponse();
      return response == null || response.length == 0 ? null : response;
    }
    SSLSession session = engine.getSession();
    if (session instanceof ExtendedSSLSession extended) {
      List<byte[]> responses = extended.getStatusResponses();
      if (!responses.isEmpty() && responses.get(0).length > 0) {
        return responses.get(0);
      }
    }
    return null;
  }

  private static Set<String> jdkProtocols() {
    try {
      return Set.of(javax.net.ssl.SSLContext.getDefault().getSupportedSSLParameters().getProtocols());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
