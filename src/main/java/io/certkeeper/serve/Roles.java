package io.certkeeper.serve;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;

/** The things a listener can be: an echo server, a TLS-terminating proxy, the admin API. */
public final class Roles {
  /** Connect timeout towards a proxy backend. */
  static final int BACKEND_CONNECT_TIMEOUT_MS = 5_000;

  private Roles() {}

  /** Writes back whatever it reads (the classic TLS echo server). */
  public static TlsListener.Role echo() {
    return (ch, p) -> p.addLast("echo", new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ctx.writeAndFlush(msg);
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
      }
    });
  }

  /**
   * Terminates TLS and relays the plain bytes to {@code backend} and back (like stunnel or
   * ghostunnel). Reading from the client waits until the backend connection is up.
   */
  public static TlsListener.Role proxy(InetSocketAddress backend) {
    return (ch, p) -> {
      ch.config().setAutoRead(false);
      p.addLast("proxy", new ChannelInboundHandlerAdapter() {
        private Channel outbound;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
          Channel inbound = ctx.channel();
          ChannelFuture f = new Bootstrap()
              .group(inbound.eventLoop())
              .channel(NioSocketChannel.class)
              .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, BACKEND_CONNECT_TIMEOUT_MS)
              .option(ChannelOption.TCP_NODELAY, true)
              .option(ChannelOption.AUTO_READ, false)
              .handler(new Relay(inbound))
              .connect(backend);
          outbound = f.channel();
          f.addListener((ChannelFutureListener) done -> {
            if (done.isSuccess()) {
              inbound.read();
              outbound.read();
            } else {
              inbound.close();
            }
          });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          outbound.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
              ctx.channel().read();
            } else {
              f.channel().close();
            }
          });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
          if (outbound != null) {
            closeOnFlush(outbound);
          }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
          closeOnFlush(ctx.channel());
        }
      });
    };
  }

  /** Copies backend bytes to the client. */
  private static final class Relay extends ChannelInboundHandlerAdapter {
    private final Channel inbound;

    Relay(Channel inbound) {
      this.inbound = inbound;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      inbound.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
        if (f.isSuccess()) {
          ctx.channel().read();
        } else {
          f.channel().close();
        }
      });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closeOnFlush(inbound);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      closeOnFlush(ctx.channel());
    }
  }

  static void closeOnFlush(Channel ch) {
    if (ch.isActive()) {
      ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** An HTTP handler for the admin role: one full request in, one full response out. */
  @FunctionalInterface
  public interface HttpHandler extends AutoCloseable {
    /**
     * Answers {@code request}. Called on the listener's event loop, so it must not block: hand
     * slow work to an executor and complete the stage from there. The request is released when
     * this method returns; copy what the work needs first.
     */
    CompletionStage<FullHttpResponse> handle(FullHttpRequest request, Channel channel);

    /** Releases the handler's threads; called when its listener stops. */
    @Override
    default void close() {}
  }

  /** HTTPS with bounded request sizes and times (see {@link HttpRole}), answered by {@code handler}. */
  public static TlsListener.Role http(HttpHandler handler, HttpLimits limits) {
    return new HttpRole(handler, limits);
  }

  /**
   * For a role that only reads: 405 with {@code Allow: GET, HEAD} unless {@code request} is a GET
   * or a HEAD; empty when it is.
   */
  static java.util.Optional<FullHttpResponse> onlyGetOrHead(io.netty.handler.codec.http.HttpRequest request) {
    io.netty.handler.codec.http.HttpMethod m = request.method();
    if (m.equals(io.netty.handler.codec.http.HttpMethod.GET) || m.equals(io.netty.handler.codec.http.HttpMethod.HEAD)) {
      return java.util.Optional.empty();
    }
    FullHttpResponse r = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n");
    r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
    return java.util.Optional.of(r);
  }

  /** The path of a request URI, without its query. */
  static String path(String uri) {
    int query = uri.indexOf('?');
    return query >= 0 ? uri.substring(0, query) : uri;
  }

  /** A response with a UTF-8 body; JSON when it starts with '{' or '['. */
  public static FullHttpResponse text(HttpResponseStatus status, String body) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    boolean json = body.startsWith("{") || body.startsWith("[");
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, json ? "application/json" : "text/plain; charset=utf-8");
    return r;
  }
}
