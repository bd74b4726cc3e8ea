package io.certkeeper.serve;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

/**
 * The dashboard's files, read from the jar once and answered from memory (so on the event loop,
 * without blocking): {@code /} is the page, {@code /ui/NAME} its scripts and styles. Each answer has
 * a strong ETag (304 for {@code If-None-Match}), gzip when the client accepts it, and the headers that
 * keep the page to itself: {@code Content-Security-Policy: default-src 'self'} (no inline script or
 * style, no framing), {@code X-Content-Type-Options: nosniff}, {@code Referrer-Policy: no-referrer}.
 */
public final class StaticFiles {
  /** What the page may load and do: only from this origin, never framed. */
  public static final String CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none';"
      + " form-action 'self'; frame-ancestors 'none'";

  private record File(String type, byte[] plain, byte[] gzip, String etag) {}

  private final Map<String, File> files = new LinkedHashMap<>();

  /**
   * Reads {@code names} from the classpath folder {@code folder} (each must exist).
   *
   * @param index the name answered at {@code /}
   */
  public StaticFiles(String folder, String index, String... names) {
    for (String n : names) {
      File f = load(folder + "/" + n, type(n));
      files.put("/ui/" + n, f);
      if (n.equals(index)) {
        files.put("/", f);
      }
    }
  }

  /** The answer to {@code req} when it asks for one of the files (GET or HEAD); empty otherwise. */
  public Optional<FullHttpResponse> answer(FullHttpRequest req) {
    String path = new QueryStringDecoder(req.uri()).path();
    File f = files.get(path);
    if (f == null || !(req.method().equals(HttpMethod.GET) || req.method().equals(HttpMethod.HEAD))) {
      return Optional.empty();
    }
    HttpHeaders in = req.headers();
    String accept = in.get(HttpHeaderNames.ACCEPT_ENCODING, "").toLowerCase(java.util.Locale.ROOT);
    boolean gzip = accept.contains("gzip") && !accept.matches(".*gzip\\s*;\\s*q\\s*=\\s*0(\\.0*)?\\s*(,.*)?$");
    // each encoding has its own tag: a cache never gets a 304 for the other encoding's body
    String etag = gzip ? f.etag().substring(0, f.etag().length() - 1) + "-gz\"" : f.etag();
    if (etag.equals(in.get(HttpHeaderNames.IF_NONE_MATCH))) {
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED);
      headers(r.headers(), f);
      r.headers().set(HttpHeaderNames.ETAG, etag);
      return Optional.of(r);
    }
    byte[] body = gzip ? f.gzip() : f.plain();
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        req.method().equals(HttpMethod.HEAD) ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    headers(r.headers(), f);
    r.headers().set(HttpHeaderNames.ETAG, etag);
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, f.type());
    if (gzip) {
      r.headers().set(HttpHeaderNames.CONTENT_ENCODING, "gzip");
    }
    return Optional.of(r);
  }

  /** The security headers every answer of the admin listener carries. */
  public static void securityHeaders(HttpHeaders h) {
    h.set("Content-Security-Policy", CSP);
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Referrer-Policy", "no-referrer");
    h.set("X-Frame-Options", "DENY");
  }

  private static void headers(HttpHeaders h, File f) {
    securityHeaders(h);
    h.set(HttpHeaderNames.ETAG, f.etag());
    h.set(HttpHeaderNames.VARY, "Accept-Encoding");
    // revalidated every time (cheap with the ETag): a new version is seen at once
    h.set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
  }

  private static File load(String resource, String type) {
    try (InputStream in = StaticFiles.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing from the jar: " + resource);
      }
      byte[] plain = in.readAllBytes();
      ByteArrayOutputStream z = new ByteArrayOutputStream();
      try (GZIPOutputStream g = new GZIPOutputStream(z)) {
        g.write(plain);
      }
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(plain);
      return new File(type, plain, z.toByteArray(), "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static String type(String name) {
    if (name.endsWith(".html")) {
      return "text/html; charset=utf-8";
    }
    if (name.endsWith(".js")) {
      return "text/javascript; charset=utf-8";
    }
    if (name.endsWith(".css")) {
      return "text/css; charset=utf-8";
    }
    if (name.endsWith(".svg")) {
      return "image/svg+xml";
    }
    return "application/octet-stream";
  }
}
