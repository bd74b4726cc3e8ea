package io.certkeeper.probe;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.Promise;

/**
 * Sends a {@link LegacyClientHello} and reads the server's first flight with a
 * {@link LegacyServerFlight}; completes {@code done} with the flight in any final state (done,
 * alert, not TLS, malformed), or fails it when the connection closes or breaks first. The caller
 * closes the channel: the handshake is never completed.
 */
final class LegacyProbeHandler extends ChannelInboundHandlerAdapter {
  private final String sniName;
  private final Promise<LegacyServerFlight> done;
  private final LegacyServerFlight flight = new LegacyServerFlight();
  private ByteBuf buffer;

  LegacyProbeHandler(String sniName, Promise<LegacyServerFlight> done) {
    this.sniName = sniName;
    this.done = done;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    buffer = ctx.alloc().heapBuffer(8192);
    ctx.writeAndFlush(Unpooled.wrappedBuffer(LegacyClientHello.build(sniName)));
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    buffer.release();
    flight.release();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      if (done.isDone()) {
        return;
      }
      buffer.writeBytes(in);
    } finally {
      in.release();
    }
    if (flight.feed(buffer) != LegacyServerFlight.State.NEED_MORE) {
      done.trySuccess(flight);
    } else {
      buffer.discardSomeReadBytes();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    done.tryFailure(new java.nio.channels.ClosedChannelException());
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    done.tryFailure(cause);
  }
}
