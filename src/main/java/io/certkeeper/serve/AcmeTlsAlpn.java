package io.certkeeper.serve;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslClientHelloHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers ACME tls-alpn-01 challenges (RFC 8737) on a TLS listener. The choice is made when the
 * ClientHello arrives: a client that offers ALPN {@code acme-tls/1} for a name with a published
 * answer gets a validation certificate made for that answer (the name as its only SAN, the key
 * authorization's SHA-256 in the critical acmeIdentifier extension), {@code acme-tls/1} is
 * negotiated, and the connection is closed after the handshake; every other client gets the
 * listener's own certificate, as if this were not there.
 *
 * <p>The lookup (a store read) and the making of the certificate run on threads of their own,
 * never on the event loop; at most {@value #MAX_WAITING} wait at once, more get the listener's own
 * certificate, so a flood of {@code acme-tls/1} hellos cannot queue without bound.
 */
public final class AcmeTlsAlpn implements AutoCloseable {
  /** The ALPN protocol of the validation handshake. */
  public static final String PROTOCOL = "acme-tls/1";
  /** Lookups waiting at once. */
  static final int MAX_WAITING = 64;
  /** A ClientHello longer than this is refused (a real one, post-quantum key shares included, is a few KiB). */
  static final int MAX_CLIENT_HELLO = 32 * 1024;
  /** Validation contexts kept for repeated connections of a validator (it may look from several places). */
  static final int CACHED = 32;
  /** How long a validation certificate is valid: the server looks within minutes. */
  static final Duration VALIDITY = Duration.ofDays(7);

  /** The key authorization published for a DNS name, if any. */
  @FunctionalInterface
  public interface Answers {
    Optional<String> keyAuthorization(String name) throws Exception;
  }

  private static final Logger log = LoggerFactory.getLogger(AcmeTlsAlpn.class);

  private final String listener;
  private final Answers answers;
  private final Clock clock;
  private final ExecutorService lookups;
  private final Semaphore waiting = new Semaphore(MAX_WAITING);
  /** The last lookup failure, logged once until it changes; null after a success. */
  private final AtomicReference<String> lastFailure = new AtomicReference<>();
  private final Map<String, SslContext> contexts = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, SslContext> eldest) {
      return size() > CACHED;
    }
  };

  public AcmeTlsAlpn(String listener, Answers answers, Clock clock) {
    this.listener = Objects.requireNonNull(listener, "listener");
    this.answers = Objects.requireNonNull(answers, "answers");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.lookups = Executors.newFixedThreadPool(2, new DefaultThreadFactory("certkeeper-" + listener + "-alpn", true));
  }

  /**
   * The first handler of a new connection: it waits for the ClientHello and puts in its place
   * either a validation handshake or {@code normal}'s, with {@code handshakeTimeoutMs} for either
   * and for the ClientHello itself.
   */
  ChannelHandler handler(Supplier<SslHandler> normal, long handshakeTimeoutMs) {
    return new Hello(normal, handshakeTimeoutMs);
  }

  /** The validation context for {@code name}, when an answer for it is published. */
  private SslContext validation(String name) throws Exception {
    Optional<String> keyAuthorization = answers.keyAuthorization(name);
    if (keyAuthorization.isEmpty()) {
      return null;
    }
    String key = name + "\n" + keyAuthorization.get();
    synchronized (contexts) {
      SslContext cached = contexts.get(key);
      if (cached != null) {
        return cached;
      }
    }
    KeyMaterial m = SelfSigned.create("certkeeper tls-alpn-01", List.of(name), clock.instant(), VALIDITY,
        Optional.of(sha256(keyAuthorization.get())));
    SslContext ctx = SslContextBuilder.forServer(m.key(), m.chain())
        .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
        .protocols("TLSv1.3", "TLSv1.2")
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, PROTOCOL))
        .build();
    synchronized (contexts) {
      contexts.put(key, ctx);
    }
    return ctx;
  }

  static byte[] sha256(String keyAuthorization) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(keyAuthorization.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    lookups.shutdownNow();
  }

  /** Reads the ClientHello and hands the connection to the handshake it asks for. */
  private final class Hello extends SslClientHelloHandler<SslContext> {
    private final Supplier<SslHandler> normal;
    private final long timeoutMs;
    private ScheduledFuture<?> timeout;
    private String name;

    Hello(Supplier<SslHandler> normal, long timeoutMs) {
      super(MAX_CLIENT_HELLO);
      this.normal = normal;
      this.timeoutMs = timeoutMs;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
      // the handshake timeout of the SslHandler starts only once it is in place: until then, this one
      timeout = ctx.executor().schedule(() -> {
        ctx.close();
      }, timeoutMs, TimeUnit.MILLISECONDS);
      super.handlerAdded(ctx);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
      if (timeout != null) {
        timeout.cancel(false);
      }
      super.handlerRemoved0(ctx);
    }

    @Override
    protected Future<SslContext> lookup(ChannelHandlerContext ctx, ByteBuf clientHello) {
      ClientHelloFields hello = ClientHelloFields.read(clientHello);
      if (!hello.offers(PROTOCOL) || hello.serverName().isEmpty()) {
        return ctx.executor().newSucceededFuture(null);
      }
      name = hello.serverName().get();
      if (!waiting.tryAcquire()) {
        return ctx.executor().newSucceededFuture(null);
      }
      Promise<SslContext> p = ctx.executor().newPromise();
      try {
        lookups.execute(() -> {
          try {
            p.trySuccess(validation(name));
            lastFailure.set(null);
          } catch (Exception | Error e) {
            String why = io.certkeeper.util.ErrorText.reason(e);
            if (!why.equals(lastFailure.getAndSet(why))) {
              log.warn("{} - cannot answer tls-alpn-01 for {} (serving the listener's own certificate): {}", listener,
                  name, why);
            }
            p.trySuccess(null);
          } finally {
            waiting.release();
          }
        });
      } catch (RejectedExecutionException e) {
        waiting.release();
        return ctx.executor().newSucceededFuture(null);
      }
      return p;
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, Future<SslContext> future) {
      if (ctx.isRemoved() || !ctx.channel().isActive()) {
        return; // closed while the lookup ran (the hello deadline, or the peer): no handshake to set up
      }
      SslContext validation = future.getNow();
      SslHandler h;
      if (validation != null) {
        h = validation.newHandler(ctx.alloc());
        // nothing but the handshake: the validator looks at the certificate and goes
        h.handshakeFuture().addListener(f -> {
          if (f.isSuccess()) {
            log.info("{} - showed the tls-alpn-01 validation certificate for {} to {}", listener, name,
                ctx.channel().remoteAddress());
          }
          ctx.channel().close();
        });
      } else {
        h = normal.get();
      }
      h.setHandshakeTimeoutMillis(timeoutMs);
      ctx.pipeline().replace(this, "tls", h);
    }
  }
}
