package io.certkeeper.serve;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Serves the local CA's public documents over plain HTTP ({@code role: pki}): the CRL and the CA
 * certificate at the paths their URLs name in issued certificates, 404 anywhere else. GET and HEAD
 * only; each answer has a strong ETag, Last-Modified, Cache-Control and, when the document has
 * one, Expires; a conditional GET gets 304. The {@link Documents} are looked up on threads of this
 * handler's own (they read files), never on the event loop.
 */
public final class PkiHttpHandler implements Roles.HttpHandler {
  /** Requests waiting at once; more get 503. */
  static final int MAX_WAITING = 64;

  /** What is served at a path. */
  @FunctionalInterface
  public interface Documents {
    /** The document at {@code path} (the request's path, without query), if any. May block. */
    Optional<Document> find(String path) throws Exception;
  }

  /**
   * One document.
   *
   * @param lastModified when it was made (a CRL's thisUpdate)
   * @param expires when it is replaced at the latest (a CRL's nextUpdate), if it is
   * @param maxAge the longest a cache may keep it before asking again
   */
  public record Document(byte[] body, String contentType, Instant lastModified, Optional<Instant> expires,
      Duration maxAge) {
    public Document {
      Objects.requireNonNull(body, "body");
      Objects.requireNonNull(contentType, "contentType");
      Objects.requireNonNull(lastModified, "lastModified");
      Objects.requireNonNull(expires, "expires");
      Objects.requireNonNull(maxAge, "maxAge");
    }
  }

  private final Documents documents;
  private final Clock clock;
  private final OffLoop work;

  public PkiHttpHandler(String listener, Documents documents, Clock clock) {
    this.documents = Objects.requireNonNull(documents, "documents");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.work = new OffLoop(listener, "read the CA's documents (answering 503)", 2, MAX_WAITING);
  }

  @Override
  public CompletionStage<FullHttpResponse> handle(FullHttpRequest request, Channel channel) {
    Optional<FullHttpResponse> refused = Roles.onlyGetOrHead(request);
    if (refused.isPresent()) {
      return CompletableFuture.completedFuture(refused.get());
    }
    String path = Roles.path(request.uri());
    FullHttpRequest conditional = new io.netty.handler.codec.http.DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
        HttpMethod.GET, "/", Unpooled.EMPTY_BUFFER);
    conditional.headers().set(request.headers()); // copied: the request is released when this returns
    return work.run(() -> answer(documents.find(path), conditional),
        e -> Roles.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "cannot read the document\n"));
  }

  private FullHttpResponse answer(Optional<Document> found, FullHttpRequest conditional) {
    if (found.isEmpty()) {
      return Roles.text(HttpResponseStatus.NOT_FOUND, "not found\n");
    }
    Document d = found.get();
    Instant now = clock.instant();
    String etag = HttpCaching.etag(d.body());
    boolean notModified = HttpCaching.notModified(conditional, etag, d.lastModified());
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        notModified ? HttpResponseStatus.NOT_MODIFIED : HttpResponseStatus.OK,
        notModified ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(d.body()));
    if (!notModified) {
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, d.contentType());
    }
    Instant expires = d.expires().orElse(now.plus(d.maxAge()));
    HttpCaching.cacheable(r.headers(), etag, d.lastModified(), expires, now, d.maxAge());
    if (d.expires().isEmpty()) {
      r.headers().remove(HttpHeaderNames.EXPIRES);
    }
    return r;
  }

  @Override
  public void close() {
    work.close();
  }
}
