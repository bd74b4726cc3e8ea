package io.certkeeper.serve;

import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Objects;
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

  private TlsListener(Bound bound, ReloadableSslContext tls, Role role, ExecutorService tasks) {
    super(bound, role);
    this.tls = tls;
    this.tasks = tasks;
  }

  /** Binds and starts serving, with at most {@value ConnectionLimit#DEFAULT_MAX} connections at once. */
  public static TlsListener start(String name, InetSocketAddress bind, ReloadableSslContext tls, Role role, int threads,
      Clock clock) throws IOException {
    return start(name, bind, tls, role, threads, ConnectionLimit.DEFAULT_MAX, clock);
  }

  /**
   * Binds and starts serving.
   *
   * @param maxConnections connections held open at once; one more is closed as soon as it is accepted
   * @param clock paces the log line about refused connections
   * @throws IOException naming the address when it cannot be bound
   */
  public static TlsListener start(String name, InetSocketAddress bind, ReloadableSslContext tls, Role role, int threads,
      int maxConnections, Clock clock) throws IOException {
    Objects.requireNonNull(role, "role");
    ExecutorService tasks = Executors.newFixedThreadPool(TASK_THREADS,
        new DefaultThreadFactory("certkeeper-" + name + "-tls-tasks", true));
    Bound bound = bind(name, bind, threads, new ConnectionLimit(name, maxConnections, clock), ch -> {
      SslHandler ssl = tls.newHandler(ch.alloc(), tasks);
      ssl.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MS);
      ch.pipeline().addLast("tls", ssl);
      role.configure(ch, ch.pipeline());
    }, () -> {
      tasks.shutdownNow();
      role.close();
    });
    return new TlsListener(bound, tls, role, tasks);
  }

  public ReloadableSslContext tls() {
    return tls;
  }

  @Override
  void releaseOwn() {
    tasks.shutdownNow();
  }
}
