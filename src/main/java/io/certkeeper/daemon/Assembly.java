package io.certkeeper.daemon;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;

/**
 * The parts of a process, started in the order the caller states and stopped in the reverse order,
 * each with one log line. A stop asked for while starting is seen between two parts: the start
 * gives way at once ({@link StopDuringStart}) and what started is stopped.
 *
 * <p>Stopping never interrupts a thread (an interrupt that reaches a thread inside JDBC breaks the
 * store): each part stops on a thread of its own within its budget, cut so that the whole stop meets
 * the deadline, and a part that outlives its budget is left behind (its threads are daemon threads)
 * and said so. Parts started with {@link #startKept} (the store and what records the run in it) are
 * kept a reserve of the deadline whatever the parts after them took.
 */
final class Assembly {
  /** Starts a part; returns how to stop it. */
  @FunctionalInterface
  interface Start {
    Stop start() throws Exception;
  }

  /** Stops a part within {@code budget}, never interrupting; false when something was left running. */
  @FunctionalInterface
  interface Stop {
    boolean stop(Duration budget) throws Exception;
  }

  /** A start step that leaves nothing to stop. */
  @FunctionalInterface
  interface Step {
    void run() throws Exception;
  }

  /** A stop asked for while the parts were starting. */
  static final class StopDuringStart extends Exception {
    private static final long serialVersionUID = 1L;

    StopDuringStart() {
      super("stop requested while starting", null, false, false);
    }
  }

  /** A part that could not start; the message names it. */
  static final class StartFailed extends Exception {
    private static final long serialVersionUID = 1L;
    private final String part;

    StartFailed(String part, Exception cause) {
      super(part + " - cannot start: " + cause.getMessage(), cause);
      this.part = part;
    }

    /** The part that could not start. */
    String part() {
      return part;
    }
  }

  private record Started(String name, Duration budget, boolean kept, Stop stop) {}

  private final Logger log;
  private final BooleanSupplier stopRequested;
  private final Duration deadline;
  private final Duration reserve;
  private final Deque<Started> started = new ArrayDeque<>();

  /**
   * @param log where the parts' lines go (the owner's logger)
   * @param stopRequested whether a stop was asked for, checked between parts while starting
   * @param deadline what stopping every part may take in all
   * @param reserve the share of {@code deadline} kept for the parts started with {@link #startKept}
   */
  Assembly(Logger log, BooleanSupplier stopRequested, Duration deadline, Duration reserve) {
    this.log = Objects.requireNonNull(log, "log");
    this.stopRequested = Objects.requireNonNull(stopRequested, "stopRequested");
    this.deadline = Objects.requireNonNull(deadline, "deadline");
    this.reserve = Objects.requireNonNull(reserve, "reserve");
  }

  /** Starts part {@code name}, stopped later within {@code budget}. */
  void start(String name, Duration budget, Start start) throws StopDuringStart, StartFailed {
    add(name, budget, false, start);
  }

  /**
   * As {@link #start}, for a part whose stop keeps its share of the deadline's reserve (the store,
   * the run record). It starts even when a stop was asked for, so that the run is recorded.
   */
  void startKept(String name, Duration budget, Start start) throws StopDuringStart, StartFailed {
    add(name, budget, true, start);
  }

  /** A start step of part {@code name} that leaves nothing more to stop. */
  void step(String name, Step step) throws StopDuringStart, StartFailed {
    checkStop();
    try {
      step.run();
    } catch (Exception e) {
      throw new StartFailed(name, e);
    }
  }

  private void add(String name, Duration budget, boolean kept, Start start) throws StopDuringStart, StartFailed {
    if (!kept) { // the kept parts start without a look: a stop asked for meanwhile is seen once they stand
      checkStop();
    }
    Stop stop;
    try {
      stop = start.start();
    } catch (Exception e) {
      throw new StartFailed(name, e);
    }
    started.push(new Started(name, budget, kept, stop));
  }

  /** After the last part: a stop asked for while it started is seen before the process says it is ready. */
  void started() throws StopDuringStart {
    checkStop();
  }

  private void checkStop() throws StopDuringStart {
    if (stopRequested.getAsBoolean()) {
      throw new StopDuringStart();
    }
  }

  /**
   * Stops every started part, last started first, within the deadline, which {@code first} (what
   * makes the process stop accepting work) counts toward.
   */
  void stopAll(Runnable first) {
    long end = System.nanoTime() + deadline.toNanos();
    first.run();
    while (!started.isEmpty()) {
      Started p = started.pop();
      long left = end - System.nanoTime() - (p.kept() ? 0 : reserve.toNanos());
      Duration budget = Duration.ofNanos(Math.max(Duration.ofMillis(100).toNanos(), Math.min(p.budget().toNanos(), left)));
      boolean[] clean = {false};
      Thread t = new Thread(() -> {
        try {
          clean[0] = p.stop().stop(budget);
        } catch (Exception e) {
          log.warn("{} - error while stopping: {}", p.name(), e.getMessage());
        }
      }, "certkeeper-stop-" + p.name().replace(' ', '-'));
      t.setDaemon(true);
      long t0 = System.nanoTime();
      t.start();
      try {
        // the part bounds itself; the margin covers its bookkeeping
        t.join(budget.toMillis() + 250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      if (t.isAlive()) {
        log.warn("{} - did not stop within {} ms; left behind", p.name(), budget.toMillis());
      } else if (clean[0]) {
        log.info("{} - stopped ({} ms)", p.name(), ms);
      } else {
        log.info("{} - stopped, work in progress left to finish on its own ({} ms)", p.name(), ms);
      }
    }
  }
}
