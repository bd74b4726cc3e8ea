package io.certkeeper.store;

import io.certkeeper.util.CpuSlots;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lets concurrent callers share one transaction (and so one commit: one chunk written by H2, one
 * flush of PostgreSQL's log): each caller hands in its item and waits; whichever caller finds no
 * commit in progress leads, takes every item waiting (up to a limit), runs each in a savepoint of
 * one transaction, commits, and hands each caller its own result. A caller alone commits at once;
 * under load, the items that arrive during one commit share the next. Every caller returns only
 * after its item committed. A finished leader wakes the callers of its batch and the one at the
 * head of the queue, who leads next; the others sleep on.
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

  private final Store store;
  private final Work<I, R> work;
  private final int maxBatch;
  private final CpuSlots slots;
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
    boolean interrupted = false;
    lock.lock();
    try {
      queue.add(mine);
    } finally {
      lock.unlock();
    }
    while (true) {
      List<Pending<I, R>> batch = new ArrayList<>();
      lock.lock();
      try {
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
        leading = true;
        while (!queue.isEmpty() && batch.size() < maxBatch) {
          batch.add(queue.poll());
        }
      } finally {
        lock.unlock();
      }
      try {
        slots.occupy();
        try {
          run(batch);
        } finally {
          slots.release();
        }
      } finally {
        lock.lock();
        try {
          batches++;
          for (Pending<I, R> p : batch) {
            p.done = true;
            p.turn.signal();
          }
          leading = false;
          // only the caller at the head of the queue is woken to lead next, not every waiter
          Pending<I, R> next = queue.peek();
          if (next != null) {
            next.turn.signal();
          }
        } finally {
          lock.unlock();
        }
      }
      // a leader whose own item was beyond the limit goes round again
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return result(mine);
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
