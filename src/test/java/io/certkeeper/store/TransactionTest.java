package io.certkeeper.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.StoreBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The unit of work: what is written through one {@link Transaction}'s repositories commits together
 * or not at all, like a renewal failure and its alert.
 */
class TransactionTest {
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  @TempDir Path dir;

  private static void inForce(Store store) throws StoreException {
    new ManagedCertificateRepository(store, "node-a").swapped("web", new GenerationInForce("0a", "a".repeat(64),
        "k".repeat(64), T0, T0.plus(Duration.ofDays(30))), "first", T0);
  }

  private static OutboxEvent renewalFailed() {
    return new OutboxEvent("f".repeat(64), "certificate:web", "renewal_failed", "", Optional.of("a".repeat(64)),
        "critical", "web renewal failed", "{}", false);
  }

  private static final List<OutboxDelivery> OPS = List.of(new OutboxDelivery("ops@example.com", "none", T0));

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void writesThroughOneTransactionCommitTogether(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      inForce(store);
      int failures = store.inTransaction(tx -> {
        int n = tx.managed("node-a").failed("web", "CA locked", Optional.empty(), T0);
        tx.outbox().add(renewalFailed(), OPS, T0);
        return n;
      });
      assertEquals(1, failures);
      assertEquals(Optional.of("CA locked"), new ManagedCertificateRepository(store, "node-a").find("web").orElseThrow().lastError());
      assertEquals(1, new AlertOutboxRepository(store).list(List.of(), 10).size());
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void workThatThrowsLeavesNoneOfItsWrites(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      inForce(store);
      StoreException thrown = new StoreException("the renewal's state could not be saved");
      StoreException e = assertThrows(StoreException.class, () -> store.inTransaction(tx -> {
        tx.managed("node-a").failed("web", "CA locked", Optional.empty(), T0);
        tx.outbox().add(renewalFailed(), OPS, T0);
        throw thrown;
      }));
      assertSame(thrown, e);
      assertThrows(IllegalStateException.class, () -> store.inTransaction(tx -> {
        tx.outbox().add(renewalFailed(), OPS, T0);
        throw new IllegalStateException("a bug");
      }));
      assertEquals(0, new ManagedCertificateRepository(store, "node-a").find("web").orElseThrow().consecutiveFailures());
      assertEquals(List.of(), new AlertOutboxRepository(store).list(List.of(), 10));
      assertTrue(new AlertOutboxRepository(store).add(renewalFailed(), OPS, T0), "not recorded by the rolled-back work");
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void aFailedStatementRollsTheWholeTransactionBack(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      inForce(store);
      // a name longer than its column: the database refuses the statement
      String tooLong = "n".repeat(101);
      StoreException e = assertThrows(StoreException.class, () -> store.inTransaction(tx -> {
        tx.outbox().add(renewalFailed(), OPS, T0);
        tx.managed("node-a").failed("web", "CA locked", Optional.empty(), T0);
        tx.managed("node-a").swapped(tooLong, new GenerationInForce("0c", "c".repeat(64), "k".repeat(64), T0,
            T0.plus(Duration.ofDays(30))), "first", T0);
        return null;
      }));
      assertTrue(e.getMessage().startsWith("store: "), e.getMessage());
      assertEquals(List.of("web"), new ManagedCertificateRepository(store, "node-a").list().stream().map(ManagedState::name).toList());
      assertEquals(0, new ManagedCertificateRepository(store, "node-a").find("web").orElseThrow().consecutiveFailures());
      assertEquals(List.of(), new AlertOutboxRepository(store).list(List.of(), 10));
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void aTransactionCannotBeUsedAfterItsWork(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      AtomicReference<Transaction> kept = new AtomicReference<>();
      store.inTransaction(tx -> {
        kept.set(tx);
        return null;
      });
      assertThrows(IllegalStateException.class, () -> kept.get().managed("node-a").find("web"));
    }
  }
}
