package io.certkeeper.serve;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTPS request/response on a listener (the admin API). Each connection gets:
 *
 * <ul>
 *   <li>a deadline for each whole request ({@link HttpLimits#requestTimeout}) that trickled bytes
 *       do not reset, and an idle timeout between kept-alive requests;
 *   <li>bounded sizes: request line {@value #MAX_INITIAL_LINE} bytes (414 past it), headers
 *       {@value #MAX_HEADER_SIZE} bytes (431), body {@value #MAX_CONTENT} bytes (413); any other
 *       request the decoder cannot read gets 400. Each of these answers closes the connection;
 *   <li>one request at a time: the {@link Roles.HttpHandler} is called on the event loop and
 *       answers with a stage, completed on whatever thread did the work; the answer is written
 *       back through the channel. A client that pipelines a second request before the first is
 *       answered gets the first answer and then the connection closes.
 * </ul>
 */
final class HttpRole implements TlsListener.Role {
  /** Longest request line (method, URI, version). */
  static final int MAX_INITIAL_LINE = 4096;
  /** Largest header block. */
  static final int MAX_HEADER_SIZE = 16 * 1024;
  /** Largest request body. */
  static final int MAX_CONTENT = 64 * 1024;
  /** After a 408, the connection is closed this long later even if the client does not read it. */
  static final long CLOSE_GRACE_MS = 2_000;

  private static final Logger log = LoggerFactory.getLogger(HttpRole.class);

  private final Roles.HttpHandler handler;
  private final HttpLimits limits;

  HttpRole(Roles.HttpHandler handler, HttpLimits limits) {
    this.handler = Objects.requireNonNull(handler, "handler");
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  @Override
  public void configure(SocketChannel ch, ChannelPipeline p) {
    Timeouts timeouts = new Timeouts(limits);
    p.addLast("http-timeouts", timeouts);
    p.addLast("http", new HttpServerCodec(new HttpDecoderConfig()
        .setMaxInitialLineLength(MAX_INITIAL_LINE)
        .setMaxHeaderSize(MAX_HEADER_SIZE)
        .setMaxChunkSize(16 * 1024)));
    p.addLast("aggregate", new Aggregator());
    p.addLast("dispatch", new Dispatcher(handler, timeouts));
  }

  @Override
  public void close() {
    try {
      handler.close();
    } catch (Exception e) {
      log.warn("http handler - close failed: {}", e.toString());
    }
  }

  /** The status for a request the decoder could not read. */
  static HttpResponseStatus statusFor(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return HttpResponseStatus.REQUEST_URI_TOO_LONG;
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
    }
    if (cause instanceof TooLongFrameException) {
      return HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
    }
    return HttpResponseStatus.BAD_REQUEST;
  }

  private static String messageFor(HttpResponseStatus status) {
    return switch (status.code()) {
      case 414 -> "request line longer than " + MAX_INITIAL_LINE + " bytes";
      case 431 -> "request headers larger than " + MAX_HEADER_SIZE + " bytes";
      case 413 -> "request body larger than " + MAX_CONTENT + " bytes";
      default -> "malformed HTTP request";
    };
  }

  static FullHttpResponse error(HttpResponseStatus status, String message) {
    return Roles.text(status, "{\"error\": \"" + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}\n");
  }

  /** Writes {@code resp} and closes the connection once it is out. */
  private static void answerAndClose(ChannelHandlerContext ctx, FullHttpResponse resp) {
    HttpUtil.setContentLength(resp, resp.content().readableBytes());
    resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.channel().writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
    ctx.executor().schedule(() -> ctx.channel().close(), CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
  }

  /**
   * The request deadline and the idle timeout. Sits between TLS and the HTTP decoder, so it sees
   * every decrypted byte. States: reading a request (deadline armed), handling it (no timer),
   * waiting for the next one (idle timer armed; its first byte arms the deadline).
   */
  static final class Timeouts extends ChannelInboundHandlerAdapter {
    private enum State { READING, HANDLING, WAITING }

    private final HttpLimits limits;
    private State state = State.READING;
    private ScheduledFuture<?> timer;
    private ChannelHandlerContext ctx;

    Timeouts(HttpLimits limits) {
      this.limits = limits;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
      // the first request counts from the connection: connecting and saying nothing holds no slot long
      arm(State.READING);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (state == State.WAITING) {
        arm(State.READING);
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      cancel();
      ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      cancel();
    }

    /** A whole request arrived: no timer while it is handled. */
    void requestReceived() {
      cancel();
      state = State.HANDLING;
    }

    /** The answer is an event stream: no more timers on this connection. */
    void streaming() {
      cancel();
      state = State.HANDLING;
    }

    /** The answer is out and the connection stays open: wait for the next request. */
    void responseSent() {
      if (state == State.HANDLING) {
        arm(State.WAITING);
      }
    }

    private void arm(State next) {
      cancel();
      state = next;
      long ms = (next == State.READING ? limits.requestTimeout() : limits.idleTimeout()).toMillis();
      timer = ctx.executor().schedule(this::expired, ms, TimeUnit.MILLISECONDS);
    }

    private void cancel() {
      if (timer != null) {
        timer.cancel(false);
        timer = null;
      }
    }

    private void expired() {
      timer = null;
      if (!ctx.channel().isActive()) {
        return;
      }
      if (state == State.READING) {
        log.debug("{} - no whole request within {}; closing", ctx.channel().remoteAddress(), limits.requestTimeout());
        answerAndClose(ctx, error(HttpResponseStatus.REQUEST_TIMEOUT,
            "no whole request within " + limits.requestTimeout().toMillis() + " ms"));
      } else if (state == State.WAITING) {
        ctx.close();
      }
    }
  }

  /** Bodies over {@link #MAX_CONTENT}: 413, then close (not only when the client asked to close). */
  private static final class Aggregator extends HttpObjectAggregator {
    Aggregator() {
      super(MAX_CONTENT, true);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      HttpResponseStatus status = HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
      answerAndClose(ctx, error(status, messageFor(status)));
    }
  }

  /** Hands each whole request to the handler and writes its answer back. */
  private static final class Dispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Roles.HttpHandler handler;
    private final Timeouts timeouts;
    private boolean inFlight;
    private boolean closeAfterAnswer;

    Dispatcher(Roles.HttpHandler handler, Timeouts timeouts) {
      this.handler = handler;
      this.timeouts = timeouts;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      timeouts.requestReceived();
      if (inFlight) {
        closeAfterAnswer = true; // pipelined: answer the first, then close
        return;
      }
      DecoderResult decoded = req.decoderResult();
      if (decoded.isFailure()) {
        HttpResponseStatus status = statusFor(decoded.cause());
        log.debug("{} - unreadable request, answered {}: {}", ctx.channel().remoteAddress(), status.code(),
            decoded.cause().toString());
        answerAndClose(ctx, error(status, messageFor(status)));
        return;
      }
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      inFlight = true;
      CompletionStage<FullHttpResponse> answer;
      try {
        answer = handler.handle(req, ctx.channel());
      } catch (RuntimeException e) {
        answer = CompletableFuture.failedFuture(e);
      }
      String what = req.method() + " " + new io.netty.handler.codec.http.QueryStringDecoder(req.uri()).path();
      answer.whenComplete((resp, failure) -> {
        FullHttpResponse r = resp;
        if (failure != null || r == null) {
          log.error("{} - {} failed: {}", ctx.channel().remoteAddress(), what, String.valueOf(failure));
          r = error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error");
        }
        FullHttpResponse out = r;
        if (ctx.executor().inEventLoop()) {
          finish(ctx, out, keepAlive);
        } else {
          try {
            ctx.executor().execute(() -> finish(ctx, out, keepAlive));
          } catch (RejectedExecutionException e) {
            out.release(); // the listener is stopping
          }
        }
      });
    }

    private void finish(ChannelHandlerContext ctx, FullHttpResponse resp, boolean keepAlive) {
      inFlight = false;
      if (resp instanceof EventStream stream) {
        startStream(ctx, stream);
        return;
      }
      boolean keep = keepAlive && !closeAfterAnswer && ctx.channel().isActive();
      HttpUtil.setContentLength(resp, resp.content().readableBytes());
      if (!keep) {
        resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      ChannelFuture f = ctx.writeAndFlush(resp);
      if (keep) {
        timeouts.responseSent();
      } else {
        f.addListener(ChannelFutureListener.CLOSE);
      }
    }

    /** Sends the stream's headers, stops the request timers for good, and hands the sink over. */
    private void startStream(ChannelHandlerContext ctx, EventStream stream) {
      timeouts.streaming();
      inFlight = true; // the connection serves the stream only: later requests on it are not answered
      io.netty.handler.codec.http.HttpResponse head = new io.netty.handler.codec.http.DefaultHttpResponse(
          stream.protocolVersion(), stream.status(), stream.headers().copy());
      head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
      head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
      head.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
      HttpUtil.setTransferEncodingChunked(head, true);
      stream.release();
      ctx.writeAndFlush(head);
      stream.open(new ChannelSink(ctx.channel()));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("{} - connection closed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }

  /** An {@link EventStream.Sink} writing chunks to one connection. */
  private static final class ChannelSink implements EventStream.Sink {
    private final io.netty.channel.Channel channel;

    ChannelSink(io.netty.channel.Channel channel) {
      this.channel = channel;
    }

    @Override
    public boolean send(String event, String data) {
      return write("event: " + event.replaceAll("[\\r\\n]", "") + "\ndata: " + data.replaceAll("[\\r\\n]", " ")
          + "\n\n");
    }

    @Override
    public boolean comment(String text) {
      return write(": " + text.replaceAll("[\\r\\n]", " ") + "\n\n");
    }

    private boolean write(String text) {
      if (!channel.isActive()) {
        return false;
      }
      if (!channel.isWritable()) {
        log.debug("{} - event stream reader too slow; closing", channel.remoteAddress());
        channel.close();
        return false;
      }
      channel.writeAndFlush(new io.netty.handler.codec.http.DefaultHttpContent(
          io.netty.buffer.Unpooled.copiedBuffer(text, java.nio.charset.StandardCharsets.UTF_8)));
      return true;
    }

    @Override
    public void close() {
      if (channel.isActive()) {
        channel.writeAndFlush(io.netty.handler.codec.http.LastHttpContent.EMPTY_LAST_CONTENT)
            .addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void onClose(Runnable r) {
      channel.closeFuture().addListener(f -> r.run());
    }
  }
}
