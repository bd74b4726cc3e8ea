package io.certkeeper.util;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * At most one CPU-bound task per processor at a time, and a serial task ahead of the others.
 *
 * <p>Issuance has two kinds of CPU work: signing, which any number of callers can do at once, and
 * the shared commit of a group ({@code store.GroupCommit}), which one thread does for all of them.
 * With more signers than processors, the scheduler gives the committing thread only its fair
 * share of a processor, the callers of the next group wait for it, and processors go idle. Here a
 * signer takes a slot ({@link #acquire}) and the committer takes the next free slot before any
 * waiting signer ({@link #acquireFirst}), so the commit always has a processor of its own and the
 * others sign on the rest.
 */
public final class CpuSlots {
  /** One slot per processor this JVM may use, for the whole process. */
  public static final CpuSlots PROCESS = new CpuSlots(Runtime.getRuntime().availableProcessors());

  private final int slots;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition firstTurn = lock.newCondition();
  private final Condition turn = lock.newCondition();
  private int busy;
  private int firstWaiting;

  public CpuSlots(int slots) {
    Preconditions.requireArgument(slots >= 1, "slots must be at least 1: %d", slots);
    this.slots = slots;
  }

  /** Takes a slot, waiting while all are taken or a serial task waits for one. Not interruptible. */
  public void acquire() {
    lock.lock();
    try {
      boolean interrupted = false;
      while (busy >= slots || firstWaiting > 0) {
        try {
          turn.await();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      busy++;
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Takes the next free slot before any caller of {@link #acquire}. Not interruptible. */
  public void acquireFirst() {
    lock.lock();
    try {
      firstWaiting++;
      boolean interrupted = false;
      try {
        while (busy >= slots) {
          try {
            firstTurn.await();
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
      } finally {
        firstWaiting--;
      }
      busy++;
      if (firstWaiting == 0) {
        for (int free = slots - busy; free > 0; free--) {
          turn.signal(); // signers that waited only because this one did
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Gives back a slot taken by either method. */
  public void release() {
    lock.lock();
    try {
      busy--;
      if (firstWaiting > 0) {
        firstTurn.signal();
      } else {
        turn.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Slots taken now (for tests). */
  public int busy() {
    lock.lock();
    try {
      return busy;
    } finally {
      lock.unlock();
    }
  }
}
