package io.certkeeper.serve;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Answers ACME http-01 challenges (RFC 8555 8.3): {@code GET /.well-known/acme-challenge/TOKEN}
 * gets the key authorization published for that token; anything else 404, or, when asked to,
 * a permanent redirect to the same path over https on the Host asked for. The lookup (a store
 * read) runs on a thread of its own, never on the event loop.
 */
public final class AcmeHttpHandler implements Roles.HttpHandler {
  /** Where the ACME server looks. */
  public static final String PREFIX = "/.well-known/acme-challenge/";
  /** A token is base64url (RFC 8555 8.3: at least 128 bits of entropy); longer ones are refused unread. */
  private static final Pattern TOKEN = Pattern.compile(Pattern.quote(PREFIX) + "([A-Za-z0-9_-]{1,255})");
  /** Lookups waiting at once; more get 503 at once, so a flood of requests cannot queue without bound. */
  static final int MAX_WAITING = 64;

  /** The key authorization published for a token, if any. */
  @FunctionalInterface
  public interface Answers {
    Optional<String> keyAuthorization(String token) throws Exception;
  }

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AcmeHttpHandler.class);

  private final String listener;
  /** The last lookup failure, logged once until it changes; null after a success. */
  private final java.util.concurrent.atomic.AtomicReference<String> lastFailure = new java.util.concurrent.atomic.AtomicReference<>();
  private final Answers answers;
  private final ExecutorService lookups;
  private final java.util.concurrent.Semaphore waiting = new java.util.concurrent.Semaphore(MAX_WAITING);

  /** A host name or address as a Host header may carry it, with an optional port; nothing else is redirected to. */
  private static final Pattern HOST = Pattern.compile("([A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\])(:[0-9]{1,5})?");

  private final boolean redirectToHttps;

  public AcmeHttpHandler(String listener, Answers answers) {
    this(listener, answers, false);
  }

  /** @param redirectToHttps whether what is not a challenge is sent to https (301) instead of 404 */
  public AcmeHttpHandler(String listener, Answers answers, boolean redirectToHttps) {
    this.redirectToHttps = redirectToHttps;
    this.listener = Objects.requireNonNull(listener, "listener");
    this.answers = Objects.requireNonNull(answers, "answers");
    this.lookups = Executors.newFixedThreadPool(2,
        new io.netty.util.concurrent.DefaultThreadFactory("certkeeper-" + listener + "-lookups", true));
  }

  @Override
  public CompletionStage<FullHttpResponse> handle(FullHttpRequest request, Channel channel) {
    Optional<FullHttpResponse> refused = Roles.onlyGetOrHead(request);
    if (refused.isPresent()) {
      return CompletableFuture.completedFuture(refused.get());
    }
    String path = Roles.path(request.uri());
    Matcher m = TOKEN.matcher(path);
    if (!m.matches()) {
      return CompletableFuture.completedFuture(redirectToHttps ? redirect(request) : Roles.text(HttpResponseStatus.NOT_FOUND,
          "not found\n"));
    }
    String token = m.group(1);
    if (!waiting.tryAcquire()) {
      return CompletableFuture.completedFuture(Roles.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "busy\n"));
    }
    CompletableFuture<FullHttpResponse> out = new CompletableFuture<>();
    try {
      lookups.execute(() -> {
        try {
          Optional<String> answer = answers.keyAuthorization(token);
          lastFailure.set(null);
          out.complete(answer.isPresent()
              ? Roles.text(HttpResponseStatus.OK, answer.get())
              : Roles.text(HttpResponseStatus.NOT_FOUND, "no such challenge\n"));
        } catch (Exception | Error e) {
          String why = io.certkeeper.util.ErrorText.reason(e);
          if (!why.equals(lastFailure.getAndSet(why))) {
            log.warn("{} - cannot look ACME challenges up (answering 503): {}", listener, why);
          }
          out.complete(Roles.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "cannot look the challenge up\n"));
        } finally {
          waiting.release();
        }
      });
    } catch (RejectedExecutionException e) {
      waiting.release();
      out.complete(Roles.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "stopping\n"));
    }
    return out;
  }

  /** 301 to {@code https://HOST/PATH?QUERY} with the port left out (443); 400 without a plain Host. */
  private static FullHttpResponse redirect(FullHttpRequest request) {
    String host = request.headers().get(HttpHeaderNames.HOST, "");
    Matcher h = HOST.matcher(host);
    if (!h.matches() || !request.uri().startsWith("/")) {
      return Roles.text(HttpResponseStatus.BAD_REQUEST, "no usable Host header\n");
    }
    FullHttpResponse r = Roles.text(HttpResponseStatus.MOVED_PERMANENTLY, "moved to https\n");
    r.headers().set(HttpHeaderNames.LOCATION, "https://" + h.group(1) + request.uri());
    return r;
  }

  /**
   * Stops the lookups and waits up to 5 s for those under way; never interrupts them (an
   * interrupt inside the store's driver closes its file).
   */
  @Override
  public void close() {
    lookups.shutdown();
    try {
      lookups.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
