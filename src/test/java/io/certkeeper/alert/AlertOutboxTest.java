package io.certkeeper.alert;

import io.certkeeper.store.LedgerEntry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.certkeeper.store.StoreException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertOutboxTest {
  @TempDir Path dir;

  @Test
  void renewalEventsAreWrittenInTheCallersTransactionOnce() throws Exception {
    try (AlertFixture f = new AlertFixture(dir, "alerts:\n  recipients: [ops@example.com]\n")) {
      AlertOutbox outbox = AlertOutbox.create(f::alerts, f.clock);
      AlertEvent failed = AlertEvent.renewalFailed("www", "ab".repeat(32), "CA key locked",
          Optional.of(f.clock.instant().plus(Duration.ofMinutes(10))), f.clock.instant().plus(Duration.ofDays(9)),
          List.of("web@example.com"));
      assertEquals(Boolean.TRUE, f.store.inTransaction(tx -> outbox.enqueue(tx, failed)));
      assertEquals(Boolean.FALSE, f.store.inTransaction(tx -> outbox.enqueue(tx, failed)), "the same event is not written twice");
      List<LedgerEntry> all = new AlertLedger(f.store).list(List.of(), 10);
      assertEquals(1, all.size());
      assertEquals("web@example.com", all.get(0).recipient());
      assertEquals("www renewal failed", all.get(0).title());
      assertEquals("critical", all.get(0).severity());
    }
  }

  @Test
  void aRolledBackStateChangeLeavesNoAlert() throws Exception {
    try (AlertFixture f = new AlertFixture(dir, "alerts:\n  recipients: [ops@example.com]\n")) {
      AlertOutbox outbox = AlertOutbox.create(f::alerts, f.clock);
      AlertEvent hook = AlertEvent.hookFailed("www", "cd".repeat(32), "systemctl reload nginx", "exit 1", List.of());
      assertThrows(StoreException.class, () -> f.store.inTransaction(tx -> {
        outbox.enqueue(tx, hook);
        throw new StoreException("renewal state could not be saved");
      }));
      assertEquals(List.of(), new AlertLedger(f.store).list(List.of(), 10));
      assertEquals(Boolean.TRUE, f.store.inTransaction(tx -> outbox.enqueue(tx, hook)), "not recorded by the rolled-back attempt");
      AlertEvent stale = AlertEvent.staleListener("www", "cd".repeat(32), "127.0.0.1:8443", "ef".repeat(32),
          List.of());
      assertEquals(Boolean.TRUE, f.store.inTransaction(tx -> outbox.enqueue(tx, stale)));
      assertEquals(2, new AlertLedger(f.store).list(List.of("pending"), 10).size());
    }
  }
}
