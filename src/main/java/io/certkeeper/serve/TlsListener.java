package io.certkeeper.serve;

import io.certkeeper.util.ErrorText;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One of the daemon's TLS servers. Each accepted connection takes the TLS context that is current
 * at that moment (see {@link ReloadableSslContext}), so a reload affects new handshakes at once
 * and never an open connection. What happens after the handshake is the {@link Role}'s business.
 */
public final class TlsListener implements AutoCloseable {
  /** Handshakes that take longer are dropped. */
  static final long HANDSHAKE_TIMEOUT_MS = 10_000;

  /** What a listener does with a connection once TLS is up. */
  @FunctionalInterface
  public interface Role {
    void configure(SocketChannel channel, ChannelPipeline pipeline);

    /** Releases what the role owns (threads, say); called once the listener has stopped. */
    default void close() {}
  }

  private final String name;
  private final ReloadableSslContext tls;
  /** Threads that run TLS delegated tasks (client-certificate checks) off the event loop. */
  static final int TASK_THREADS = 2;

  private final EventLoopGroup group;
  private final Channel server;
  private final Role role;
  private final ConnectionLimit limit;
  private final ExecutorService tasks;

  private TlsListener(String name, ReloadableSslContext tls, EventLoopGroup group, Channel server, Role role,
      ConnectionLimit limit, ExecutorService tasks) {
    this.name = name;
    this.tls = tls;
    this.group = group;
    this.server = server;
    this.role = role;
    this.limit = limit;
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
    ConnectionLimit limit = new ConnectionLimit(name, maxConnections, clock);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("certkeeper-" + name, true),
        NioIoHandler.newFactory());
    ExecutorService tasks = Executors.newFixedThreadPool(TASK_THREADS,
        new DefaultThreadFactory("certkeeper-" + name + "-tls-tasks", true));
    ServerBootstrap b = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (!limit.admit(ch)) {
              return;
            }
            SslHandler ssl = tls.newHandler(ch.alloc(), tasks);
            ssl.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MS);
            ch.pipeline().addLast("tls", ssl);
            role.configure(ch, ch.pipeline());
          }
        });
    try {
      Channel server = b.bind(bind).sync().channel();
      return new TlsListener(name, tls, group, server, role, limit, tasks);
    } catch (Exception e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      tasks.shutdownNow();
      role.close();
      throw cannotListen(name, bind, e);
    }
  }

  /** Why {@code name} cannot listen on {@code bind}, in one line. */
  static IOException cannotListen(String name, InetSocketAddress bind, Exception e) {
    String address = (bind.getHostString().indexOf(':') >= 0 ? "[" + bind.getHostString() + "]" : bind.getHostString())
        + ":" + bind.getPort();
    String reason = ErrorText.reason(e).replaceFirst("^bind\\(\\.\\.\\) failed: ", "");
    return new IOException("listener " + name + ": cannot listen on " + address + ": "
        + reason.toLowerCase(java.util.Locale.ROOT)
        + (reason.toLowerCase(java.util.Locale.ROOT).contains("already in use")
            ? " (another process listens there; change bind)" : ""), e);
  }

  public String name() {
    return name;
  }

  public ReloadableSslContext tls() {
    return tls;
  }

  /** The bound address (with the real port when 0 was asked for). */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  public boolean isOpen() {
    return server.isOpen();
  }

  /** Connections open now. */
  public int connections() {
    return limit.open();
  }

  /** Stops accepting, closes every connection (waits at most 3 s), then closes the role. */
  @Override
  public void close() {
    server.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    tasks.shutdownNow();
    role.close();
  }
}
