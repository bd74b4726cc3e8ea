package io.certkeeper.serve;

import io.certkeeper.util.ErrorText;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What every listener of the daemon is, TLS or plain: a bound server socket on its own event loops,
 * a cap on the connections it holds, and a {@link TlsListener.Role} that handles each connection.
 */
abstract class Listening implements AutoCloseable {
  private final String name;
  private final EventLoopGroup group;
  private final Channel server;
  private final TlsListener.Role role;
  private final ConnectionLimit limit;

  Listening(Bound bound, TlsListener.Role role) {
    this.name = bound.name;
    this.group = bound.group;
    this.server = bound.server;
    this.role = role;
    this.limit = bound.limit;
  }

  /** A socket bound for listener {@code name}. */
  record Bound(String name, EventLoopGroup group, Channel server, ConnectionLimit limit) {}

  /**
   * Binds {@code bind} with {@code threads} event loops; each accepted connection within the limit
   * goes to {@code configure}.
   *
   * @param onFailure releases what the caller made for the listener when it cannot be bound
   * @throws IOException naming the address when it cannot be bound
   */
  static Bound bind(String name, InetSocketAddress bind, int threads, ConnectionLimit limit,
      Consumer<SocketChannel> configure, Runnable onFailure) throws IOException {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("certkeeper-" + name, true),
        NioIoHandler.newFactory());
    ServerBootstrap b = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (limit.admit(ch)) {
              configure.accept(ch);
            }
          }
        });
    try {
      return new Bound(name, group, b.bind(bind).sync().channel(), limit);
    } catch (Exception e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      onFailure.run();
      throw cannotListen(name, bind, e);
    }
  }

  /** Why {@code name} cannot listen on {@code bind}, in one line. */
  static IOException cannotListen(String name, InetSocketAddress bind, Exception e) {
    String address = (bind.getHostString().indexOf(':') >= 0 ? "[" + bind.getHostString() + "]" : bind.getHostString())
        + ":" + bind.getPort();
    String reason = ErrorText.reason(e).replaceFirst("^bind\\(\\.\\.\\) failed: ", "");
    return new IOException("listener " + name + ": cannot listen on " + address + ": "
        + reason.toLowerCase(Locale.ROOT)
        + (reason.toLowerCase(Locale.ROOT).contains("already in use")
            ? " (another process listens there; change bind)" : ""), e);
  }

  public String name() {
    return name;
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

  /** What the listener releases between its event loops and its role (say, threads of its own). */
  void releaseOwn() {}

  /** Stops accepting, closes every connection (waits at most 3 s), then closes the role. */
  @Override
  public void close() {
    server.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    releaseOwn();
    role.close();
  }
}
