package io.certkeeper.serve;

import io.certkeeper.util.ErrorText;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslHandler;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.Executor;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
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
  private final Optional<ClientCertificateVerifier> verifier;
  private final AtomicReference<Current> current = new AtomicReference<>();

  private ReloadableSslContext(KeySource source, TlsOptions options, Clock clock) {
    this.source = Objects.requireNonNull(source, "source");
    this.options = Objects.requireNonNull(options, "options");
    this.verifier = options.clientAuth() == TlsOptions.ClientAuth.NONE ? Optional.empty()
        : Optional.of(new ClientCertificateVerifier(options.clientCas(),
            CrlView.of(options.crlFiles(), options.crlIssuers(), clock), clock));
  }

  /**
   * Loads the key material and builds the first context.
   *
   * @throws IOException when it cannot be read, does not match, or fails the self-test
   */
  public static ReloadableSslContext load(KeySource source, TlsOptions options, Clock clock) throws IOException {
    ReloadableSslContext r = new ReloadableSslContext(source, options, clock);
    r.current.set(r.build(source.load()));
    return r;
  }

  /** Whether client certificates are asked for (their checks then run off the event loop). */
  public boolean verifiesClients() {
    return verifier.isPresent();
  }

  /**
   * Why client certificates are refused now, when the CRLs cannot be trusted (fail-closed);
   * empty when they can, or when the listener does not ask for client certificates.
   */
  public Optional<String> revocationProblem() {
    return verifier.flatMap(v -> v.crls().current().problem());
  }

  /**
   * A TLS handler for a new connection, from the current context. With client certificates the
   * handler runs the certificate check on {@code tasks} and the connection issues no session
   * ticket, so that no later connection can skip the check by resuming.
   */
  public SslHandler newHandler(ByteBufAllocator alloc, Executor tasks) {
    SslContext ctx = current().context();
    if (verifier.isEmpty()) {
      return ctx.newHandler(alloc);
    }
    SslHandler h = ctx.newHandler(alloc, tasks);
    ReferenceCountedOpenSslEngine engine = (ReferenceCountedOpenSslEngine) h.engine();
    synchronized (engine) {
      io.netty.internal.tcnative.SSL.setOptions(engine.sslPointer(), io.netty.internal.tcnative.SSL.SSL_OP_NO_TICKET);
    }
    return h;
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
      return new Reload(false, old.material().sha256(), ErrorText.of(e));
    }
  }

  private Current build(KeyMaterial m) throws IOException {
    SslContextBuilder b = SslContextBuilder.forServer(m.key(), m.chain())
        .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
        .protocols(options.protocols());
    if (!options.ciphers().isEmpty()) {
      b.ciphers(options.ciphers());
    }
    if (verifier.isPresent()) {
      if (!OpenSsl.isAvailable()) {
        // Only the OpenSSL engine lets resumption be turned off per context (see below).
        throw new IOException("client authentication needs the OpenSSL (BoringSSL) TLS engine, which is not"
            + " available: " + OpenSsl.unavailabilityCause());
      }
      b.clientAuth(options.clientAuth() == TlsOptions.ClientAuth.REQUIRE ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL)
          .trustManager(verifier.get())
          // the certificate check (a stat of each CRL file, sometimes a re-read) runs as a delegated task
          .option(OpenSslContextOption.USE_TASKS, true);
    } else {
      b.clientAuth(ClientAuth.NONE);
    }
    SslContext ctx;
    try {
      ctx = b.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IOException("cannot build a TLS context: " + ErrorText.reason(e), e);
    }
    if (verifier.isPresent()) {
      // No resumption with client certificates: a resumed session skips the certificate check, so
      // a client revoked since its first handshake would be let in. Every handshake is a full one:
      // no session-ID cache (TLS 1.2) here, no session tickets (TLS 1.2 and 1.3) in newHandler.
      ((OpenSslSessionContext) ctx.sessionContext()).setSessionCacheEnabled(false);
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
