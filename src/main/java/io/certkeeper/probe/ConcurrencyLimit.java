package io.certkeeper.probe;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Runs asynchronous tasks with at most {@code limit} in flight; the rest wait in a queue. No
 * thread waits: a finishing task starts the next one.
 */
final class ConcurrencyLimit {
  private final int limit;
  private final Queue<Runnable> waiting = new ArrayDeque<>();
  private int running;

  ConcurrencyLimit(int limit) {
    this.limit = limit;
  }

  <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Runnable start = () -> {
      CompletableFuture<T> f;
      try {
        f = task.get();
      } catch (RuntimeException | Error e) {
        f = CompletableFuture.failedFuture(e);
      }
      f.whenComplete((value, error) -> {
        release();
        if (error != null) {
          result.completeExceptionally(error);
        } else {
          result.complete(value);
        }
      });
    };
    synchronized (this) {
      waiting.add(start);
    }
    drain();
    return result;
  }

  synchronized int running() {
    return running;
  }

  private void drain() {
    Runnable next;
    while ((next = next()) != null) {
      next.run();
    }
  }

  private synchronized Runnable next() {
    if (running >= limit || waiting.isEmpty()) {
      return null;
    }
    running++;
    return waiting.poll();
  }

  private void release() {
    synchronized (this) {
      running--;
    }
    drain();
  }
}
