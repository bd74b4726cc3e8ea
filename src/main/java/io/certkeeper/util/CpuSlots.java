package io.certkeeper.util;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * At most one signer per processor at a time, and the serial task counted among them without
 * waiting for one.
 *
 * <p>Issuance has two kinds of CPU work: signing, which any number of callers can do at once, and
 * the shared commit of a group ({@code store.GroupCommit}), which one thread does for all of them.
 * With more signers than processors, the scheduler gives the committing thread only its fair
 * share of a processor, the callers of the next group wait for it, and processors go idle. Here a
 * signer takes a slot ({@link #acquire}), waiting while all are taken; the committer occupies one
 * at once ({@link #occupy}), even beyond the count, so it never waits for a signer (an RSA key can
 * take seconds), and no new signer starts until the processors are no longer oversubscribed. Work
 * outside issuance (probes, renewals in the daemon, H2's own threads) is not counted: this evens
 * out issuance, it does not reserve processors.
 */
public final class CpuSlots {
  /** One slot per processor this JVM may use, for the whole process. */
  public static final CpuSlots PROCESS = new CpuSlots(Runtime.getRuntime().availableProcessors());

  private final int slots;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition turn = lock.newCondition();
  private int busy;

  public CpuSlots(int slots) {
    Preconditions.requireArgument(slots >= 1, "slots must be at least 1: %d", slots);
    this.slots = slots;
  }

  /** Takes a slot, waiting while all are taken. Not interruptible (the interrupt is kept). */
  public void acquire() {
    lock.lock();
    try {
      boolean interrupted = false;
      while (busy >= slots) {
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

  /** Takes a slot at once, even when all are taken: callers of {@link #acquire} wait for it. */
  public void occupy() {
    lock.lock();
    try {
      busy++;
    } finally {
      lock.unlock();
    }
  }

  /** Gives back a slot taken by either method. */
  public void release() {
    lock.lock();
    try {
      busy--;
      if (busy < slots) {
        turn.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Slots taken now, beyond the count while an occupier holds one (for tests). */
  public int busy() {
    lock.lock();
    try {
      return busy;
    } finally {
      lock.unlock();
    }
  }
}
