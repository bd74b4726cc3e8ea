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
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The HTTP side of an OCSP responder ({@code role: ocsp}; RFC 6960 appendix A, RFC 5019 5 and 6):
 *
 * <ul>
 *   <li>{@code POST} with the DER request as the body ({@code Content-Type:
 *       application/ocsp-request}, though any type is read), at most {@value #MAX_REQUEST_BYTES}
 *       bytes (413 past it);
 *   <li>{@code GET /{base64 of the DER request, URL-encoded}} under any path prefix, in the
 *       standard or the URL-safe alphabet, with or without padding or percent-encoding;
 *   <li>the answer is always 200 with an OCSP response, an error status such as
 *       {@code malformedRequest} included (RFC 6960 2.3); a signed response that caches may keep
 *       carries {@code Cache-Control: max-age=…, public, no-transform, must-revalidate} up to its
 *       nextUpdate, {@code Last-Modified} (thisUpdate), {@code Expires} (nextUpdate) and an
 *       {@code ETag} (a conditional GET gets 304).
 * </ul>
 *
 * What a request gets is the {@link Responder}'s business, asked on threads of this handler's own,
 * never on the event loop: it reads the store and signs.
 */
public final class OcspHttpHandler implements Roles.HttpHandler {
  /** Larger request bodies get 413: a request about one certificate is about a hundred bytes. */
  public static final int MAX_REQUEST_BYTES = 8 * 1024;
  static final String RESPONSE_TYPE = "application/ocsp-response";
  /** Requests waiting for the responder at once; more get 503. */
  static final int MAX_WAITING = 256;
  /** Caches keep a response no longer than this, whatever its nextUpdate. */
  static final Duration MAX_AGE = Duration.ofDays(7);
  /** OCSPResponse {responseStatus malformedRequest}, DER. */
  private static final byte[] MALFORMED_REQUEST = {0x30, 0x03, 0x0a, 0x01, 0x01};
  /** OCSPResponse {responseStatus internalError}, DER. */
  private static final byte[] INTERNAL_ERROR = {0x30, 0x03, 0x0a, 0x01, 0x02};
  /** The most path segments a GET's request may follow. */
  private static final int MAX_PREFIX_SEGMENTS = 16;

  /** Answers DER OCSP requests. */
  public interface Responder {
    /** The response to {@code request} (any bytes; not an OCSP request gets malformedRequest). May block. */
    Response respond(byte[] request) throws Exception;
  }

  /**
   * A DER OCSPResponse.
   *
   * @param thisUpdate and {@code nextUpdate}: present on a signed response that caches may keep
   *     until nextUpdate
   */
  public record Response(byte[] der, Optional<Instant> thisUpdate, Optional<Instant> nextUpdate) {
    public Response {
      Objects.requireNonNull(der, "der");
      if (thisUpdate.isPresent() != nextUpdate.isPresent()) {
        throw new IllegalArgumentException("thisUpdate and nextUpdate go together");
      }
    }

    /** A response no cache may keep (an error, one with a nonce). */
    public static Response uncacheable(byte[] der) {
      return new Response(der, Optional.empty(), Optional.empty());
    }
  }

  private final Responder responder;
  private final Clock clock;
  private final OffLoop work;

  public OcspHttpHandler(String listener, Responder responder, Clock clock) {
    this.responder = Objects.requireNonNull(responder, "responder");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.work = new OffLoop(listener, "answer OCSP requests (answering internalError)", 2, MAX_WAITING);
  }

  @Override
  public CompletionStage<FullHttpResponse> handle(FullHttpRequest request, Channel channel) {
    byte[] der;
    boolean get = request.method().equals(HttpMethod.GET) || request.method().equals(HttpMethod.HEAD);
    if (request.method().equals(HttpMethod.POST)) {
      // the body is read whatever its Content-Type says (curl's default is a form): what is not an
      // OCSP request gets malformedRequest, as a client of RFC 6960 expects
      if (request.content().readableBytes() > MAX_REQUEST_BYTES) {
        return done(Roles.text(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
            "an OCSP request is at most " + MAX_REQUEST_BYTES + " bytes\n"));
      }
      der = new byte[request.content().readableBytes()];
      request.content().getBytes(request.content().readerIndex(), der);
    } else if (get) {
      Optional<byte[]> decoded = fromPath(request.uri());
      if (decoded.isEmpty()) {
        return done(ocsp(Response.uncacheable(MALFORMED_REQUEST), null));
      }
      der = decoded.get();
    } else {
      FullHttpResponse r = Roles.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n");
      r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD, POST");
      return done(r);
    }
    // what the answer needs of the request, copied: the request is released when this returns
    String ifNoneMatch = get ? request.headers().get(HttpHeaderNames.IF_NONE_MATCH) : null;
    String ifModifiedSince = get ? request.headers().get(HttpHeaderNames.IF_MODIFIED_SINCE) : null;
    return work.run(() -> ocsp(responder.respond(der), get ? conditional(ifNoneMatch, ifModifiedSince) : null),
        e -> ocsp(Response.uncacheable(INTERNAL_ERROR), null));
  }

  private static CompletionStage<FullHttpResponse> done(FullHttpResponse r) {
    return CompletableFuture.completedFuture(r);
  }

  /** A request holding only the conditional headers of a GET, for {@link HttpCaching#notModified}. */
  private static FullHttpRequest conditional(String ifNoneMatch, String ifModifiedSince) {
    FullHttpRequest r = new io.netty.handler.codec.http.DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
        "/", Unpooled.EMPTY_BUFFER);
    if (ifNoneMatch != null) {
      r.headers().set(HttpHeaderNames.IF_NONE_MATCH, ifNoneMatch);
    }
    if (ifModifiedSince != null) {
      r.headers().set(HttpHeaderNames.IF_MODIFIED_SINCE, ifModifiedSince);
    }
    return r;
  }

  /** 200 with the OCSP response, or 304 when {@code conditional} already holds it. */
  private FullHttpResponse ocsp(Response response, FullHttpRequest conditional) {
    Instant now = clock.instant();
    boolean cacheable = response.nextUpdate().isPresent() && response.nextUpdate().get().isAfter(now);
    String etag = HttpCaching.etag(response.der());
    boolean notModified = cacheable && conditional != null
        && HttpCaching.notModified(conditional, etag, response.thisUpdate().get());
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        notModified ? HttpResponseStatus.NOT_MODIFIED : HttpResponseStatus.OK,
        notModified ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(response.der()));
    if (!notModified) {
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, RESPONSE_TYPE);
    }
    if (cacheable) {
      HttpCaching.cacheable(r.headers(), etag, response.thisUpdate().get(), response.nextUpdate().get(), now, MAX_AGE);
    } else {
      HttpCaching.uncacheable(r.headers(), now);
    }
    return r;
  }

  /**
   * The DER request a GET carries in its path (RFC 5019 5): the last segments, percent-decoded,
   * read as base64 in either alphabet. The path may have any prefix ({@code /ocsp/...}), and a
   * standard-alphabet request may carry unencoded slashes, so each suffix after a slash is tried,
   * the longest first, until one is a single complete DER structure.
   */
  static Optional<byte[]> fromPath(String uri) {
    String path = Roles.path(uri);
    String p = path.startsWith("/") ? path.substring(1) : path;
    int from = 0;
    for (int tries = 0; tries <= MAX_PREFIX_SEGMENTS; tries++) {
      Optional<byte[]> der = decode(p.substring(from));
      if (der.isPresent()) {
        return der;
      }
      int slash = p.indexOf('/', from);
      if (slash < 0) {
        break;
      }
      from = slash + 1;
    }
    return Optional.empty();
  }

  private static Optional<byte[]> decode(String segment) {
    String text = percentDecode(segment);
    if (text == null || text.isEmpty()) {
      return Optional.empty();
    }
    String standard = text.replace('-', '+').replace('_', '/');
    byte[] der;
    try {
      der = Base64.getDecoder().decode(standard);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    return isOneDerSequence(der) ? Optional.of(der) : Optional.empty();
  }

  /** {@code %XX} decoded (a {@code +} stays a {@code +}: this is a path, not a form); null when malformed or not ASCII. */
  private static String percentDecode(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          return null;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else if (c < 0x80) {
        out.write(c);
      } else {
        return null;
      }
    }
    return out.toString(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** Whether {@code der} is exactly one DER SEQUENCE (tag, length, and that many bytes). */
  static boolean isOneDerSequence(byte[] der) {
    if (der.length < 2 || der[0] != 0x30) {
      return false;
    }
    int first = der[1] & 0xff;
    long length;
    int header;
    if (first < 0x80) {
      length = first;
      header = 2;
    } else {
      int n = first & 0x7f;
      if (n == 0 || n > 4 || der.length < 2 + n) {
        return false;
      }
      length = 0;
      for (int i = 0; i < n; i++) {
        length = (length << 8) | (der[2 + i] & 0xff);
      }
      header = 2 + n;
    }
    return header + length == der.length;
  }

  @Override
  public void close() {
    work.close();
  }
}
