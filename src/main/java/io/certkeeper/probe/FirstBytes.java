package io.certkeeper.probe;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Remembers the first bytes the server sends once TLS should begin, without consuming them, so
 * that a {@code not_tls} report can say what answered instead ({@code "HTTP/1.1 400"}, an SMTP
 * banner...). Removes itself once it has enough.
 */
@ChannelHandler.Sharable
final class FirstBytes extends ChannelInboundHandlerAdapter {
  static final int KEEP = 32;

  private final byte[] bytes = new byte[KEEP];
  private int length;

  void reset() {
    length = 0;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf buf && length < KEEP) {
      int n = Math.min(KEEP - length, buf.readableBytes());
      buf.getBytes(buf.readerIndex(), bytes, length, n);
      length += n;
    }
    if (length >= KEEP) {
      ctx.pipeline().remove(this);
    }
    ctx.fireChannelRead(msg);
  }

  /** {@code  (starts "HTTP/1.1 400 Bad Request")}, or empty if nothing printable came. */
  String describe() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < length; i++) {
      int b = bytes[i] & 0xff;
      if (b == '\r' || b == '\n') {
        break;
      }
      text.append(b >= 0x20 && b < 0x7f ? (char) b : '?');
    }
    return text.length() == 0 ? "" : " (starts \"" + text + "\")";
  }
}
