package io.certkeeper.serve;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;

/**
 * The server TLS context of a listener, replaceable while it serves. {@link #reload()} reads the
 * key material again, builds a new context, proves it with an in-memory handshake that must
 * present the new certificate, and only then swaps it in; a failure at any step keeps the last good
 * context serving. New connections take whatever context is current when they are accepted; open
 * connections keep theirs.
 */
public final class ReloadableSslContext {
  /** What is being served now. */
  public record Current(SslContext context, KeyMaterial material) {}

  /** The outcome of a reload. */
  public record Reload(boolean changed, String sha256, String error) {
    public boolean failed() {
      return error != null;
    }
  }

  private final KeySource source;
  private final TlsOptions options;
  private final AtomicReference<Current> current = new AtomicReference<>();

  private ReloadableSslContext(KeySource source, TlsOptions options) {
    this.source = Objects.requireNonNull(source, "source");
    this.options = Objects.requireNonNull(options, "options");
  }

  /**
   * Loads the key material and builds the first context.
   *
   * @throws IOException when it cannot be read, does not match, or fails the self-test
   */
  public static ReloadableSslContext load(KeySource source, TlsOptions options) throws IOException {
    ReloadableSslContext r = new ReloadableSslContext(source, options);
    r.current.set(r.build(source.load()));
    return r;
  }

  public Current current() {
    return current.get();
  }

  public KeySource source() {
    return source;
  }

  /** Re-reads the source; swaps only a new certificate that passes the self-test. Never throws. */
  public synchronized Reload reload() {
    Current old = current.get();
    try {
      KeyMaterial m = source.load();
      if (m.sha256().equals(old.material().sha256()) && m.chain().equals(old.material().chain())) {
        return new Reload(false, m.sha256(), null);
      }
      Current next = build(m);
      current.set(next);
      return new Reload(true, m.sha256(), null);
    } catch (IOException | RuntimeException e) {
      return new Reload(false, old.material().sha256(), e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  private Current build(KeyMaterial m) throws IOException {
    SslContextBuilder b = SslContextBuilder.forServer(m.key(), m.chain())
        .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
        .protocols(options.protocols());
    if (!options.ciphers().isEmpty()) {
      b.ciphers(options.ciphers());
    }
    switch (options.clientAuth()) {
      case OPTIONAL:
        b.clientAuth(ClientAuth.OPTIONAL).trustManager(options.clientCas());
        break;
      case REQUIRE:
        b.clientAuth(ClientAuth.REQUIRE).trustManager(options.clientCas());
        break;
      default:
        b.clientAuth(ClientAuth.NONE);
    }
    SslContext ctx;
    try {
      ctx = b.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IOException("cannot build a TLS context: " + e.getMessage(), e);
    }
    if (options.clientAuth() != TlsOptions.ClientAuth.REQUIRE) {
      String presented = SelfTest.presentedLeaf(ctx);
      if (!presented.equals(m.sha256())) {
        throw new IOException("self-test: the new context presented " + presented + ", not " + m.sha256());
      }
    }
    return new Current(ctx, m);
  }
}
