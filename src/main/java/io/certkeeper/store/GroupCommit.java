package io.certkeeper.store;

import io.certkeeper.util.CpuSlots;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lets concurrent callers share one transaction (and so one commit: one chunk written by H2, one
 * flush of PostgreSQL's log): each caller hands in its item and waits; a caller who finds no commit
 * in progress leads, takes every item waiting (up to a limit), runs each in a savepoint of one
 * transaction, commits, and hands each caller its own result. A caller alone commits at once, on
 * its own thread. When items wait by the time a leader's commit is done, a committer thread takes
 * over and commits batch after batch until none wait: under load the commit every caller waits for
 * is done by one thread that is already running, instead of by a caller that must first be woken
 * and scheduled (on two busy processors that cost 10-20 % of the issuance rate), and no caller
 * waits for others' commits after its own. Every caller returns only after its item committed (or
 * failed), woken once for that; without a committer, the caller at the head of the queue is also
 * woken to lead.
 *
 * <p>One item's SQL failure rolls back to its savepoint and is that caller's alone; a failed
 * commit is every caller's of that batch.
 *
 * @param <I> an item
 * @param <R> its result
 */
final class GroupCommit<I, R> {
  /** The work for one item, on the shared connection. */
  @FunctionalInterface
  interface Work<I, R> {
    R apply(Connection c, I item) throws SQLException;
  }

  private static final class Pending<I, R> {
    final I item;
    /** Signalled when the item is done, or when it heads the queue and no leader runs. */
    final Condition turn;
    R result;
    SQLException itemFailure;
    StoreException batchFailure;
    boolean done;

    Pending(I item, Condition turn) {
      this.item = item;
      this.turn = turn;
    }
  }

  /**
   * Threads that take over committing from a caller under load: at most one per instance at a
   * time, idle ones gone after a minute. Daemon threads, never interrupted (an interrupt inside H2
   * closes its file).
   */
  private static final ExecutorService COMMITTERS = Executors.newCachedThreadPool(new ThreadFactory() {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "certkeeper-commit-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  });

  private final Store store;
  private final Work<I, R> work;
  private final int maxBatch;
  private final CpuSlots slots;
  private final Executor committers;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Pending<I, R>> queue = new ArrayDeque<>();
  private boolean leading;
  private long batches;

  /**
   * @param slots the processors the leader shares with the callers' own work: it occupies one at
   *     once, and new signers wait, so that the commit every caller waits for is not the one starved
   *     of a processor
   */
  GroupCommit(Store store, Work<I, R> work, int maxBatch, CpuSlots slots) {
    this(store, work, maxBatch, slots, COMMITTERS);
  }

  /** As above, with the committers that take over under load from {@code committers} (for tests). */
  GroupCommit(Store store, Work<I, R> work, int maxBatch, CpuSlots slots, Executor committers) {
    this.committers = Objects.requireNonNull(committers, "committers");
    this.store = Objects.requireNonNull(store, "store");
    this.work = Objects.requireNonNull(work, "work");
    this.maxBatch = maxBatch;
    this.slots = Objects.requireNonNull(slots, "slots");
  }

  /**
   * Runs {@code item} in a shared transaction and returns its result once that committed.
   *
   * @throws SqlFailure when the item's own SQL failed (its part was rolled back)
   * @throws StoreException when the batch could not be committed
   */
  R submit(I item) throws StoreException, SqlFailure {
    Pending<I, R> mine = new Pending<>(item, lock.newCondition());
    // an interrupt reaching H2 closes its file: a caller that may lead commits with the flag clear,
    // and gets it back when it returns
    boolean interrupted = Thread.interrupted();
    lock.lock();
    try {
      queue.add(mine);
      while (true) {
        while (!mine.done && leading) {
          try {
            mine.turn.await();
          } catch (InterruptedException e) {
            // an item never leaves while it may be committing: wait on, and keep the interrupt
            interrupted = true;
          }
        }
        if (mine.done) {
          break;
        }
        lead();
        // a leader whose own item was beyond what it led, when no committer took over, goes round again
      }
    } finally {
      lock.unlock();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return result(mine);
  }

  /**
   * Commits the items waiting, up to the limit, as their caller's leader (called and returning
   * with the lock held, which it releases while committing). When more wait by then, a committer
   * thread takes over and commits batch after batch until none wait, so that under load one thread
   * that is already running keeps committing, and no caller commits for others after its own item
   * is done. Otherwise, or when no committer can start, the caller at the head of the queue is woken
   * to lead next.
   */
  private void lead() {
    leading = true;
    boolean handedOver = false;
    try {
      commitNext();
      if (!queue.isEmpty()) {
        handedOver = handOver();
      }
    } finally {
      if (!handedOver) {
        stopLeading();
      }
    }
  }

  /**
   * Starts a committer on the queue; called and returning with the lock held, released meanwhile
   * (starting a thread takes a while, and callers keep queueing: {@code leading} stays set, so none
   * of them leads). False when no committer thread can start.
   */
  private boolean handOver() {
    lock.unlock();
    try {
      committers.execute(this::drain);
      return true;
    } catch (RejectedExecutionException | OutOfMemoryError e) {
      return false; // no committer thread: the caller at the head of the queue leads next
    } finally {
      lock.lock();
    }
  }

  /** A committer's run: batches until none wait. */
  private void drain() {
    lock.lock();
    try {
      while (!queue.isEmpty()) {
        commitNext();
      }
    } finally {
      stopLeading();
      lock.unlock();
    }
  }

  /** Commits the next batch; called and returning with the lock held, released while committing. */
  private void commitNext() {
    List<Pending<I, R>> batch = new ArrayList<>(Math.min(queue.size(), maxBatch));
    while (!queue.isEmpty() && batch.size() < maxBatch) {
      batch.add(queue.poll());
    }
    lock.unlock();
    boolean ran = false;
    try {
      slots.occupy();
      try {
        run(batch);
        ran = true;
      } finally {
        slots.release();
      }
    } finally {
      lock.lock();
      batches++;
      for (Pending<I, R> p : batch) {
        if (!ran && p.batchFailure == null) {
          p.batchFailure = new StoreException("store: the shared commit did not finish");
        }
        p.done = true;
        p.turn.signal();
      }
    }
  }

  private void stopLeading() {
    leading = false;
    // only the caller at the head of the queue is woken to lead next, not every waiter
    Pending<I, R> next = queue.peek();
    if (next != null) {
      next.turn.signal();
    }
  }

  private R result(Pending<I, R> p) throws StoreException, SqlFailure {
    if (p.batchFailure != null) {
      throw p.batchFailure;
    }
    if (p.itemFailure != null) {
      throw new SqlFailure(p.itemFailure);
    }
    return p.result;
  }

  private void run(List<Pending<I, R>> batch) {
    try {
      store.transaction(c -> {
        for (Pending<I, R> p : batch) {
          Savepoint sp = c.setSavepoint();
          try {
            p.result = work.apply(c, p.item);
            p.itemFailure = null;
            c.releaseSavepoint(sp);
          } catch (SQLException e) {
            c.rollback(sp);
            p.result = null;
            p.itemFailure = e;
          }
        }
        return null;
      });
    } catch (StoreException e) {
      for (Pending<I, R> p : batch) {
        p.batchFailure = e;
      }
    } catch (RuntimeException | Error e) {
      StoreException failed = new StoreException("store: " + e, e);
      for (Pending<I, R> p : batch) {
        p.batchFailure = failed;
      }
    }
  }

  /** Items waiting for a leader (for tests). */
  int waiting() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /** Transactions run so far (for tests). */
  long batches() {
    lock.lock();
    try {
      return batches;
    } finally {
      lock.unlock();
    }
  }

  /** An item's own SQL failed; its part of the batch was rolled back. */
  static final class SqlFailure extends Exception {
    private static final long serialVersionUID = 1L;

    SqlFailure(SQLException cause) {
      super(cause.getMessage(), cause);
    }

    SQLException sql() {
      return (SQLException) getCause();
    }
  }
}
