package io.certkeeper.serve;

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
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One of the daemon's plain HTTP servers (an {@code acme-http} listener: ACME http-01 challenges
 * must be answered over HTTP on port 80). Requests are bounded and timed as on the admin API
 * ({@link HttpRole}); the {@link Roles.HttpHandler} answers them.
 */
public final class PlainHttpListener implements AutoCloseable {
  private final String name;
  private final EventLoopGroup group;
  private final Channel server;
  private final TlsListener.Role role;
  private final ConnectionLimit limit;

  private PlainHttpListener(String name, EventLoopGroup group, Channel server, TlsListener.Role role,
      ConnectionLimit limit) {
    this.name = name;
    this.group = group;
    this.server = server;
    this.role = role;
    this.limit = limit;
  }

  /**
   * Binds and starts serving.
   *
   * @param maxConnections connections held open at once; one more is closed as soon as it is accepted
   * @throws IOException naming the address when it cannot be bound
   */
  public static PlainHttpListener start(String name, InetSocketAddress bind, Roles.HttpHandler handler,
      HttpLimits limits, int maxConnections, Clock clock) throws IOException {
    Objects.requireNonNull(handler, "handler");
    TlsListener.Role role = Roles.http(handler, limits);
    ConnectionLimit limit = new ConnectionLimit(name, maxConnections, clock);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("certkeeper-" + name, true),
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
              role.configure(ch, ch.pipeline());
            }
          }
        });
    try {
      return new PlainHttpListener(name, group, b.bind(bind).sync().channel(), role, limit);
    } catch (Exception e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      role.close();
      throw TlsListener.cannotListen(name, bind, e);
    }
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

  /** Stops accepting, closes every connection (waits at most 3 s), then closes the handler. */
  @Override
  public void close() {
    server.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    role.close();
  }
}
