package io.certkeeper.probe;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Drives the plain-text dialogue that precedes TLS for a {@link StartTls} protocol, one exchange
 * at a time, each bounded in time and size. It completes {@code done} when the server agreed to
 * upgrade, or fails it with a {@link StartTlsException} naming the exchange; then it removes
 * itself so the TLS handler can take over. Data the server sends after agreeing is refused, as
 * it would be injected into the TLS session.
 */
final class StartTlsHandler extends ChannelInboundHandlerAdapter {
  static final int MAX_LINE = 4096;
  static final int MAX_REPLY = 64 * 1024;
  private static final String EHLO_NAME = "certkeeper.invalid";

  /** Reads one reply from the buffer: null while incomplete, else whether it was acceptable. */
  private interface ReplyReader {
    Reply read(ByteBuf in) throws StartTlsException;
  }

  private record Reply(boolean ok, String text) {}

  /** One request (or none, for a greeting) and the reply it must get. */
  private record Exchange(String name, byte[] request, ReplyReader reader) {}

  private final StartTls protocol;
  private final long stepTimeoutMillis;
  private final Promise<Void> done;
  private final List<Exchange> exchanges;
  private final ByteBuf buffer = Unpooled.buffer(256);
  private int index;
  private ScheduledFuture<?> timer;

  StartTlsHandler(StartTls protocol, long stepTimeoutMillis, Promise<Void> done) {
    this.protocol = protocol;
    this.stepTimeoutMillis = stepTimeoutMillis;
    this.done = done;
    this.exchanges = exchangesFor(protocol);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    begin(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancelTimer();
    buffer.release();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      if (done.isDone()) {
        return;
      }
      if (buffer.readableBytes() + in.readableBytes() > MAX_REPLY) {
        fail(ctx, "reply to " + current().name() + " longer than " + MAX_REPLY + " bytes");
        return;
      }
      buffer.writeBytes(in);
    } finally {
      in.release();
    }
    process(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    fail(ctx, "server closed the connection while waiting for the reply to " + current().name());
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(ctx, "reading the reply to " + current().name() + ": " + cause);
  }

  private Exchange current() {
    return exchanges.get(Math.min(index, exchanges.size() - 1));
  }

  private void begin(ChannelHandlerContext ctx) {
    Exchange exchange = exchanges.get(index);
    if (exchange.request() != null) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(exchange.request()));
    }
    timer = ctx.executor().schedule(() -> fail(ctx, String.format(Locale.ROOT,
        "no reply to %s within %s", exchange.name(),
        io.certkeeper.util.Durations.format(java.time.Duration.ofMillis(stepTimeoutMillis)))),
        stepTimeoutMillis, TimeUnit.MILLISECONDS);
  }

  private void process(ChannelHandlerContext ctx) {
    while (!done.isDone()) {
      Exchange exchange = exchanges.get(index);
      Reply reply;
      try {
        reply = exchange.reader().read(buffer);
      } catch (StartTlsException e) {
        fail(ctx, exchange.name() + ": " + e.getMessage());
        return;
      }
      if (reply == null) {
        return;
      }
      cancelTimer();
      if (!reply.ok()) {
        fail(ctx, exchange.name() + " refused: " + printable(reply.text()));
        return;
      }
      index++;
      if (index == exchanges.size()) {
        if (buffer.isReadable()) {
          fail(ctx, "server sent " + buffer.readableBytes()
              + " bytes after agreeing to upgrade (possible injection)");
          return;
        }
        ctx.pipeline().remove(this);
        done.trySuccess(null);
        return;
      }
      begin(ctx);
    }
  }

  private void fail(ChannelHandlerContext ctx, String message) {
    cancelTimer();
    done.tryFailure(new StartTlsException(protocol.label() + " " + message));
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private static List<Exchange> exchangesFor(StartTls protocol) {
    List<Exchange> list = new ArrayList<>();
    switch (protocol) {
      case SMTP -> {
        list.add(new Exchange("greeting", null, numericReply(220, null)));
        list.add(new Exchange("EHLO", ascii("EHLO " + EHLO_NAME + "\r\n"),
            numericReply(250, "STARTTLS")));
        list.add(new Exchange("STARTTLS", ascii("STARTTLS\r\n"), numericReply(220, null)));
      }
      case FTP -> {
        list.add(new Exchange("greeting", null, numericReply(220, null)));
        list.add(new Exchange("AUTH TLS", ascii("AUTH TLS\r\n"), numericReply(234, null)));
      }
      case IMAP -> {
        list.add(new Exchange("greeting", null, in -> {
          String line = readLine(in);
          if (line == null) {
            return null;
          }
          String upper = line.toUpperCase(Locale.ROOT);
          return new Reply(upper.startsWith("* OK") || upper.startsWith("* PREAUTH"), line);
        }));
        list.add(new Exchange("a001 STARTTLS", ascii("a001 STARTTLS\r\n"), in -> {
          String line;
          while ((line = readLine(in)) != null) {
            if (line.regionMatches(true, 0, "a001 ", 0, 5)) {
              return new Reply(line.regionMatches(true, 5, "OK", 0, 2), line);
            }
          }
          return null;
        }));
      }
      case POP3 -> {
        list.add(new Exchange("greeting", null, pop3Reply()));
        list.add(new Exchange("STLS", ascii("STLS\r\n"), pop3Reply()));
      }
      case LDAP -> list.add(new Exchange("StartTLS extended request", LDAP_START_TLS,
          StartTlsHandler::readLdapResult));
      case POSTGRES -> list.add(new Exchange("SSLRequest", POSTGRES_SSL_REQUEST, in -> {
        if (!in.isReadable()) {
          return null;
        }
        int answer = in.readUnsignedByte();
        return switch (answer) {
          case 'S' -> new Reply(true, "S");
          case 'N' -> new Reply(false, "server answered 'N': SSL is not enabled");
          default -> new Reply(false, String.format(Locale.ROOT, "unexpected answer 0x%02x", answer));
        };
      }));
      default -> throw new AssertionError(protocol);
    }
    return List.copyOf(list);
  }

  /** LDAPMessage { messageID 1, extendedReq [APPLICATION 23] { requestName [0] OID } }. */
  private static final byte[] LDAP_START_TLS;
  /** Int32 length 8, then the SSLRequest code 80877103. */
  private static final byte[] POSTGRES_SSL_REQUEST = {0, 0, 0, 8, 0x04, (byte) 0xd2, 0x16, 0x2f};

  static {
    byte[] oid = "1.3.6.1.4.1.1466.20037".getBytes(StandardCharsets.US_ASCII);
    byte[] msg = new byte[7 + 2 + oid.length];
    int i = 0;
    msg[i++] = 0x30;
    msg[i++] = (byte) (5 + 2 + oid.length);
    msg[i++] = 0x02;
    msg[i++] = 0x01;
    msg[i++] = 0x01;
    msg[i++] = 0x77;
    msg[i++] = (byte) (2 + oid.length);
    msg[i++] = (byte) 0x80;
    msg[i++] = (byte) oid.length;
    System.arraycopy(oid, 0, msg, i, oid.length);
    LDAP_START_TLS = msg;
  }

  /** SMTP/FTP reply: lines "ddd-..." then "ddd ..."; acceptable if the code and keyword match. */
  private static ReplyReader numericReply(int expected, String keyword) {
    return in -> {
      int mark = in.readerIndex();
      StringBuilder text = new StringBuilder();
      boolean sawKeyword = keyword == null;
      String line;
      while ((line = readLine(in)) != null) {
        if (line.length() < 3 || !line.substring(0, 3).chars().allMatch(Character::isDigit)) {
          throw new StartTlsException("not a numeric reply: " + printable(line));
        }
        if (text.length() > 0) {
          text.append(" | ");
        }
        text.append(line);
        if (keyword != null && line.length() > 4
            && line.substring(4).strip().toUpperCase(Locale.ROOT).startsWith(keyword)) {
          sawKeyword = true;
        }
        if (line.length() == 3 || line.charAt(3) == ' ') {
          int code = Integer.parseInt(line.substring(0, 3));
          if (code == expected && !sawKeyword) {
            return new Reply(false, "server does not offer " + keyword + ": " + text);
          }
          return new Reply(code == expected, text.toString());
        }
      }
      in.readerIndex(mark);
      return null;
    };
  }

  private static ReplyReader pop3Reply() {
    return in -> {
      String line = readLine(in);
      return line == null ? null : new Reply(line.startsWith("+OK"), line);
    };
  }

  private static Reply readLdapResult(ByteBuf in) throws StartTlsException {
    int start = in.readerIndex();
    if (in.readableBytes() < 2) {
      return null;
    }
    if (in.getUnsignedByte(start) != 0x30) {
      throw new StartTlsException("the answer is not an LDAP message");
    }
    int[] header = berLength(in, start + 1);
    if (header == null) {
      return null;
    }
    int end = header[1] + header[0];
    if (in.writerIndex() < end) {
      return null;
    }
    int p = header[1];
    try {
      if (in.getUnsignedByte(p) != 0x02) {
        throw new StartTlsException("LDAP message without a message ID");
      }
      int[] idLen = berLength(in, p + 1);
      p = idLen[1] + idLen[0];
      if (in.getUnsignedByte(p) != 0x78) {
        throw new StartTlsException(String.format(Locale.ROOT,
            "expected an ExtendedResponse, got tag 0x%02x", in.getUnsignedByte(p)));
      }
      int[] respLen = berLength(in, p + 1);
      p = respLen[1];
      if (in.getUnsignedByte(p) != 0x0a) {
        throw new StartTlsException("ExtendedResponse without a result code");
      }
      int[] codeLen = berLength(in, p + 1);
      int code = 0;
      for (int k = 0; k < codeLen[0]; k++) {
        code = (code << 8) | in.getUnsignedByte(codeLen[1] + k);
      }
      in.readerIndex(end);
      return new Reply(code == 0, "resultCode " + code);
    } catch (IndexOutOfBoundsException | NullPointerException e) {
      throw new StartTlsException("malformed LDAP ExtendedResponse");
    }
  }

  /** {length, offset of contents} for the BER length at {@code at}, or null if incomplete. */
  private static int[] berLength(ByteBuf in, int at) throws StartTlsException {
    if (at >= in.writerIndex()) {
      return null;
    }
    int first = in.getUnsignedByte(at);
    if (first < 0x80) {
      return new int[] {first, at + 1};
    }
    int n = first & 0x7f;
    if (n == 0 || n > 3) {
      throw new StartTlsException("unsupported BER length in LDAP answer");
    }
    if (at + n >= in.writerIndex()) {
      return null;
    }
    int len = 0;
    for (int k = 1; k <= n; k++) {
      len = (len << 8) | in.getUnsignedByte(at + k);
    }
    if (len > MAX_REPLY) {
      throw new StartTlsException("LDAP answer of " + len + " bytes");
    }
    return new int[] {len, at + 1 + n};
  }

  /** One CRLF- or LF-terminated line without its terminator, or null if incomplete. */
  private static String readLine(ByteBuf in) throws StartTlsException {
    int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
    if (lf < 0) {
      if (in.readableBytes() > MAX_LINE) {
        throw new StartTlsException("line longer than " + MAX_LINE + " bytes");
      }
      return null;
    }
    int length = lf - in.readerIndex();
    String line = in.toString(in.readerIndex(), length, StandardCharsets.ISO_8859_1);
    in.readerIndex(lf + 1);
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static String printable(String s) {
    String cut = s.length() > 200 ? s.substring(0, 200) + "..." : s;
    return cut.replaceAll("[^\\x20-\\x7e|]", "?");
  }
}
