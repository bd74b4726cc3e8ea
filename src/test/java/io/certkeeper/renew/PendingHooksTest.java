package io.certkeeper.renew;

import io.certkeeper.store.ManagedCertificateRepository;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.config.CertificateConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stop ends a running deploy hook instead of waiting out its timeout, and hooks that did not run
 * to the end (stopped, or killed with the process) run at the next start, once.
 */
@Tag("reliability")
class PendingHooksTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void aHookIsEndedWhenTheProcessStops() throws Exception {
    Path started = dir.resolve("started");
    AtomicBoolean stopping = new AtomicBoolean();
    Thread stopper = new Thread(() -> {
      await(() -> Files.exists(started));
      stopping.set(true);
    });
    stopper.start();
    HookRunner.Result r = HookRunner.run(new CertificateConfig.Hook(
        List.of("/bin/sh", "-c", "echo started; touch " + started + "; sleep 300"), Duration.ofMinutes(10), Map.of()),
        Map.of(), stopping::get);
    stopper.join();
    assertTrue(r.stopped(), r.toString());
    assertFalse(r.ok());
    assertFalse(r.timedOut(), "ended by the stop, not by its 10-minute timeout");
    assertEquals("ended because certkeeper stopped", r.error());
    assertEquals("started", r.output());
  }

  @Test
  void hooksEndedByAStopRunAtTheNextStartOnce() throws Exception {
    Path runs = dir.resolve("runs.txt");
    Path started = dir.resolve("started");
    String hook = "[\"/bin/sh\", \"-c\", \"echo \\\"$CERTKEEPER_SERIAL\\\" >> " + runs + "; touch " + started
        + "; sleep 300\"]";
    try (ManagedFixture f = new ManagedFixture(dir, "certificates:\n  - name: web\n    common-name: www.example.test\n"
        + "    hooks:\n      - command: " + hook + "\n        timeout: 10m\n")) {
      AtomicBoolean stopping = new AtomicBoolean();
      Renewer daemon = f.renewer(stopping::get);
      Thread first = new Thread(daemon::issueMissing);
      first.start();
      await(() -> Files.exists(started));
      stopping.set(true);
      first.join(DEADLINE.toMillis());
      assertFalse(first.isAlive(), "the renewal did not return after the stop");
      String serial = f.current("web").serial();
      assertEquals(Map.of("web", serial), f.records().hooksPending(), "the hook did not finish");

      // the next start: the hook (now a quick one) runs for the generation in force, then never again
      f.configure("certificates:\n  - name: web\n    common-name: www.example.test\n    hooks:\n"
          + "      - command: [\"/bin/sh\", \"-c\", \"echo \\\"again $CERTKEEPER_SERIAL\\\" >> " + runs + "\"]\n");
      Renewer next = f.renewer(() -> false);
      assertEquals(1, next.runPendingHooks());
      assertEquals(List.of(serial, "again " + serial), Files.readAllLines(runs));
      assertEquals(Map.of(), f.records().hooksPending());
      assertEquals(0, next.runPendingHooks());
      assertEquals(2, Files.readAllLines(runs).size());
    }
  }

  @Test
  void aRenewalWhoseHooksFinishedLeavesNothingPendingEvenWhenAHookFailed() throws Exception {
    try (ManagedFixture f = new ManagedFixture(dir, "certificates:\n  - name: web\n    common-name: www.example.test\n"
        + "    hooks:\n      - command: [\"false\"]\n")) {
      assertEquals(1, f.renewer.issueMissing());
      assertEquals(Map.of(), f.records().hooksPending());
      assertEquals(0, f.renewer.runPendingHooks());
    }
  }

  @Test
  void aGenerationPutInForceByTheReconcilerHasItsHooksPending() throws Exception {
    try (ManagedFixture f = new ManagedFixture(dir, "certificates:\n  - name: web\n    common-name: www.example.test\n")) {
      assertEquals(1, f.renewer.issueMissing());
      // as after a kill between the switch of `current` and its record in the store
      try (var c = f.store.dataSource().getConnection(); var st = c.createStatement()) {
        st.executeUpdate("DELETE FROM managed_generations");
        st.executeUpdate("DELETE FROM managed_certificates");
      }
      assertEquals(1, Reconciler.create(f.store, f.data, f.clock, f.config.get().nodeName()).reconcileAll(f.config.get().certificates()));
      assertEquals(Map.of("web", f.current("web").serial()), f.records().hooksPending());
    }
  }

  private static void await(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + DEADLINE);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
