package io.certkeeper.serve;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An answer that stays open and carries Server-Sent Events ({@code text/event-stream}), given by a
 * {@link Roles.HttpHandler} in place of a full response. Once the headers are out, {@code opened}
 * gets the stream's {@link Sink}; the connection then serves nothing else, has no request or idle
 * timeout of its own (the sender's heartbeat finds a dead peer), and counts toward the listener's
 * connection cap. A client that does not read fast enough to keep the socket writable is cut off,
 * so a slow reader never makes the daemon queue without bound.
 */
public final class EventStream extends DefaultFullHttpResponse {
  /** Where a stream's events go; safe to call from any thread. */
  public interface Sink {
    /**
     * Sends one event ({@code event:} and {@code data:} lines; {@code data} must be one line).
     *
     * @return false when the stream is closed (or was just closed for a slow reader)
     */
    boolean send(String event, String data);

    /** Sends a comment line (a heartbeat): {@code : text}. */
    boolean comment(String text);

    /** Ends the stream and closes the connection. */
    void close();

    /** Runs {@code r} once the connection is closed, by either side. */
    void onClose(Runnable r);
  }

  private final Consumer<Sink> opened;

  public EventStream(Consumer<Sink> opened) {
    super(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
    this.opened = Objects.requireNonNull(opened, "opened");
  }

  /** Hands the open stream to its owner. */
  void open(Sink sink) {
    opened.accept(sink);
  }
}
