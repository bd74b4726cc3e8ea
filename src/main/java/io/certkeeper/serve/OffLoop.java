package io.certkeeper.serve;

import io.certkeeper.util.ErrorText;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads a plain-HTTP handler answers on, so that store reads, file reads and signatures never
 * run on a Netty event loop: a small pool with a bounded number of requests waiting, past which a
 * request gets 503 at once. A failure is logged once until a different one happens.
 */
final class OffLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OffLoop.class);

  private final String listener;
  private final String what;
  private final ExecutorService pool;
  private final Semaphore waiting;
  private final AtomicReference<String> lastFailure = new AtomicReference<>();

  /**
   * @param what what the work is, for the log ({@code "answer OCSP requests"})
   * @param maxWaiting requests queued or running at once; more get 503
   */
  OffLoop(String listener, String what, int threads, int maxWaiting) {
    this.listener = Objects.requireNonNull(listener, "listener");
    this.what = Objects.requireNonNull(what, "what");
    this.pool = Executors.newFixedThreadPool(threads,
        new io.netty.util.concurrent.DefaultThreadFactory("certkeeper-" + listener + "-work", true));
    this.waiting = new Semaphore(maxWaiting);
  }

  /**
   * Runs {@code work} on the pool; a failure becomes {@code failed}'s answer and one log line.
   */
  CompletionStage<FullHttpResponse> run(Callable<FullHttpResponse> work,
      Function<Throwable, FullHttpResponse> failed) {
    if (!waiting.tryAcquire()) {
      return CompletableFuture.completedFuture(busy("busy\n"));
    }
    CompletableFuture<FullHttpResponse> out = new CompletableFuture<>();
    try {
      pool.execute(() -> {
        try {
          FullHttpResponse r = work.call();
          lastFailure.set(null);
          out.complete(r);
        } catch (Exception | Error e) {
          String why = ErrorText.reason(e);
          if (!why.equals(lastFailure.getAndSet(why))) {
            log.warn("{} - cannot {}: {}", listener, what, why);
          }
          out.complete(failed.apply(e));
        } finally {
          waiting.release();
        }
      });
    } catch (RejectedExecutionException e) {
      waiting.release();
      out.complete(busy("stopping\n"));
    }
    return out;
  }

  private static FullHttpResponse busy(String why) {
    FullHttpResponse r = Roles.text(HttpResponseStatus.SERVICE_UNAVAILABLE, why);
    r.headers().set(io.netty.handler.codec.http.HttpHeaderNames.RETRY_AFTER, "5");
    return r;
  }

  /**
   * Stops taking work and waits up to 5 s for what runs (store reads); never interrupts it: an
   * interrupt inside the store's driver closes its file.
   */
  @Override
  public void close() {
    pool.shutdown();
    try {
      pool.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
