package io.certkeeper.serve;

import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One of the daemon's TLS servers. Each accepted connection takes the TLS context that is current
 * at that moment (see {@link ReloadableSslContext}), so a reload affects new handshakes at once
 * and never an open connection. What happens after the handshake is the {@link Role}'s business.
 */
public final class TlsListener extends Listening {
  /** Handshakes that take longer are dropped. */
  static final long HANDSHAKE_TIMEOUT_MS = 10_000;

  /** What a listener does with a connection once TLS is up. */
  @FunctionalInterface
  public interface Role {
    void configure(SocketChannel channel, ChannelPipeline pipeline);

    /** Releases what the role owns (threads, say); called once the listener has stopped. */
    default void close() {}
  }

  /** Threads that run TLS delegated tasks (client-certificate checks) off the event loop. */
  static final int TASK_THREADS = 2;

  private final ReloadableSslContext tls;
  private final ExecutorService tasks;

  private final Optional<AcmeTlsAlpn> acme;

  private TlsListener(Bound bound, ReloadableSslContext tls, Role role, ExecutorService tasks,
      Optional<AcmeTlsAlpn> acme) {
    super(bound, role);
    this.tls = tls;
    this.tasks = tasks;
    this.acme = acme;
  }

  /** Binds and starts serving, with at most {@value ConnectionLimit#DEFAULT_MAX} connections at once. */
  public static TlsListener start(String name, InetSocketAddress bind, ReloadableSslContext tls, Role role, int threads,
      Clock clock) throws IOException {
    return start(name, bind, tls, role, threads, ConnectionLimit.DEFAULT_MAX, Optional.empty(), clock);
  }

  /**
   * Binds and starts serving.
   *
   * @param maxConnections connections held open at once; one more is closed as soon as it is accepted
   * @param acme answers ACME tls-alpn-01 challenges on this listener, when present (closed with it)
   * @param clock paces the log line about refused connections
   * @throws IOException naming the address when it cannot be bound
   */
  public static TlsListener start(String name, InetSocketAddress bind, ReloadableSslContext tls, Role role, int threads,
      int maxConnections, Optional<AcmeTlsAlpn> acme, Clock clock) throws IOException {
    Objects.requireNonNull(role, "role");
    ExecutorService tasks = Executors.newFixedThreadPool(TASK_THREADS,
        new DefaultThreadFactory("certkeeper-" + name + "-tls-tasks", true));
    Bound bound = bind(name, bind, threads, new ConnectionLimit(name, maxConnections, clock), ch -> {
      if (acme.isPresent()) {
        // the certificate is chosen once the ClientHello is read: a validation one for acme-tls/1
        ch.pipeline().addLast("tls", acme.get().handler(() -> tls.newHandler(ch.alloc(), tasks), HANDSHAKE_TIMEOUT_MS));
      } else {
        SslHandler ssl = tls.newHandler(ch.alloc(), tasks);
        ssl.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MS);
        ch.pipeline().addLast("tls", ssl);
      }
      role.configure(ch, ch.pipeline());
    }, () -> {
      tasks.shutdownNow();
      acme.ifPresent(AcmeTlsAlpn::close);
      role.close();
    });
    return new TlsListener(bound, tls, role, tasks, acme);
  }

  public ReloadableSslContext tls() {
    return tls;
  }

  @Override
  void releaseOwn() {
    tasks.shutdownNow();
    acme.ifPresent(AcmeTlsAlpn::close);
  }
}
