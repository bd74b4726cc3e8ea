package io.certkeeper.serve;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The caching headers of what the plain-HTTP roles serve (RFC 9111, and RFC 5019 6 for OCSP):
 * {@code Cache-Control: max-age=N, public, no-transform, must-revalidate}, {@code Last-Modified},
 * {@code Expires}, a strong {@code ETag} that is a hash of the body, and conditional GETs.
 */
final class HttpCaching {
  /** IMF-fixdate (RFC 9110 5.6.7): {@code Sun, 06 Nov 1994 08:49:37 GMT}. */
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

  private HttpCaching() {}

  static String httpDate(Instant t) {
    return HTTP_DATE.format(t);
  }

  /** A strong entity tag: the first 128 bits of the body's SHA-256, quoted. */
  static String etag(byte[] body) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(body);
      return "\"" + HexFormat.of().formatHex(h, 0, 16) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Sets the headers that let shared caches keep the response until {@code expires} (at most
   * {@code maxAge} from {@code now}) and revalidate it after that.
   */
  static void cacheable(HttpHeaders h, String etag, Instant lastModified, Instant expires, Instant now,
      Duration maxAge) {
    long seconds = Math.max(0, Math.min(Duration.between(now, expires).toSeconds(), maxAge.toSeconds()));
    h.set(HttpHeaderNames.DATE, httpDate(now));
    h.set(HttpHeaderNames.CACHE_CONTROL, "max-age=" + seconds + ", public, no-transform, must-revalidate");
    h.set(HttpHeaderNames.LAST_MODIFIED, httpDate(lastModified));
    h.set(HttpHeaderNames.EXPIRES, httpDate(expires));
    h.set(HttpHeaderNames.ETAG, etag);
  }

  /** No cache may keep the response. */
  static void uncacheable(HttpHeaders h, Instant now) {
    h.set(HttpHeaderNames.DATE, httpDate(now));
    h.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
  }

  /**
   * Whether {@code request} already holds this representation: its If-None-Match names
   * {@code etag} (or {@code *}), or, without If-None-Match, its If-Modified-Since is not before
   * {@code lastModified}.
   */
  static boolean notModified(FullHttpRequest request, String etag, Instant lastModified) {
    String match = request.headers().get(HttpHeaderNames.IF_NONE_MATCH);
    if (match != null) {
      for (String t : match.split(",")) {
        String tag = t.trim();
        if (tag.startsWith("W/")) {
          tag = tag.substring(2);
        }
        if (tag.equals(etag) || tag.equals("*")) {
          return true;
        }
      }
      return false;
    }
    String since = request.headers().get(HttpHeaderNames.IF_MODIFIED_SINCE);
    if (since == null || since.length() > 64) {
      return false;
    }
    try {
      Instant t = HTTP_DATE.parse(since.trim(), Instant::from);
      return !t.isBefore(lastModified.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    } catch (DateTimeParseException e) {
      return false;
    }
  }
}
