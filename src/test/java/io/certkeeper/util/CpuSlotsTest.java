package io.certkeeper.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CpuSlotsTest {
  @Test
  void neverMoreSignersThanSlots() throws Exception {
    CpuSlots slots = new CpuSlots(2);
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> done = new java.util.ArrayList<>();
      for (int t = 0; t < 16; t++) {
        done.add(pool.submit(() -> {
          for (int i = 0; i < 300; i++) {
            slots.acquire();
            try {
              most.accumulateAndGet(inside.incrementAndGet(), Math::max);
              Thread.onSpinWait();
              inside.decrementAndGet();
            } finally {
              slots.release();
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertTrue(most.get() <= 2, "at most 2 at once, saw " + most.get());
    assertEquals(0, slots.busy());
  }

  @Test
  void anOccupierNeverWaitsAndSignersWaitUntilTheProcessorsAreNoLongerOversubscribed() throws Exception {
    CpuSlots slots = new CpuSlots(1);
    slots.acquire(); // a signer at work
    Thread committer = new Thread(slots::occupy);
    committer.start();
    committer.join(60_000);
    assertEquals(Thread.State.TERMINATED, committer.getState(), "occupy never waits for the signer");
    assertEquals(2, slots.busy());
    List<String> order = new CopyOnWriteArrayList<>();
    CountDownLatch signed = new CountDownLatch(1);
    Thread signer = new Thread(() -> {
      slots.acquire();
      order.add("signer");
      signed.countDown();
      slots.release();
    });
    signer.start();
    awaitWaiting(signer);
    slots.release(); // the first signer is done; the commit still runs
    order.add("first signer done");
    awaitWaiting(signer);
    order.add("commit done");
    slots.release();
    assertTrue(signed.await(60, TimeUnit.SECONDS));
    signer.join(60_000);
    assertEquals(List.of("first signer done", "commit done", "signer"), order);
    assertEquals(0, slots.busy());
  }

  @Test
  void anInterruptedWaiterStillGetsItsSlotAndKeepsTheInterrupt() throws Exception {
    CpuSlots slots = new CpuSlots(1);
    slots.acquire();
    AtomicInteger interruptedAfter = new AtomicInteger(-1);
    Thread waiter = new Thread(() -> {
      slots.acquire();
      interruptedAfter.set(Thread.currentThread().isInterrupted() ? 1 : 0);
      slots.release();
    });
    waiter.start();
    awaitWaiting(waiter);
    waiter.interrupt();
    awaitWaiting(waiter); // woken by the interrupt, it waits on for the slot
    slots.release();
    waiter.join(60_000);
    assertEquals(1, interruptedAfter.get());
  }

  @Test
  void noSlotsIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new CpuSlots(0));
  }

  private static void awaitWaiting(Thread t) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (t.getState() != Thread.State.WAITING) {
      assertTrue(System.nanoTime() < deadline, t.getName() + " never waited: " + t.getState());
      Thread.sleep(5);
    }
  }
}
