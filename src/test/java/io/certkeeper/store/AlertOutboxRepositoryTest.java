package io.certkeeper.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.StoreBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The outbox: events once by their key, deliveries claimed with a lease and moved along. */
class AlertOutboxRepositoryTest {
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  static final Duration LEASE = Duration.ofMinutes(5);

  @TempDir Path dir;

  private static OutboxEvent event(String key, String subject, String detail, boolean suppressed) {
    return new OutboxEvent(key.repeat(64).substring(0, 64), subject, "expiry", detail, Optional.of("a".repeat(64)),
        "warning", subject + " " + detail, "{\"what\":\"w\"}", suppressed);
  }

  private static List<Long> ids(List<ClaimedDelivery> claimed) {
    return claimed.stream().map(ClaimedDelivery::id).toList();
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void anEventIsStoredOnceByItsKeyWithOneDeliveryPerRecipient(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      AlertOutboxRepository outbox = new AlertOutboxRepository(store);
      List<OutboxDelivery> to = List.of(new OutboxDelivery("ops@example.com", "none", T0),
          new OutboxDelivery("web@example.com", "daily", T0.plus(Duration.ofHours(3))));
      assertTrue(outbox.add(event("1", "endpoint:a:443", "7d", false), to, T0));
      assertFalse(outbox.add(event("1", "endpoint:a:443", "7d", false), to, T0.plusSeconds(1)), "the same key");

      List<LedgerEntry> all = outbox.list(List.of(), 10);
      assertEquals(List.of("web@example.com", "ops@example.com"), all.stream().map(LedgerEntry::recipient).toList());
      LedgerEntry digest = all.get(0);
      assertEquals("pending", digest.status());
      assertEquals("daily", digest.digest());
      assertEquals(T0.plus(Duration.ofHours(3)), digest.nextAttemptAt());
      assertEquals("expiry", digest.kind());
      assertEquals("warning", digest.severity());
      assertEquals("endpoint:a:443 7d", digest.title());
      assertEquals(Set.of("7d"), outbox.details("endpoint:a:443", "expiry", "a".repeat(64)));
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void aSuppressedEventIsRecordedWithoutDeliveries(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      AlertOutboxRepository outbox = new AlertOutboxRepository(store);
      assertTrue(outbox.add(event("2", "endpoint:a:443", "30d", true),
          List.of(new OutboxDelivery("ops@example.com", "none", T0)), T0));
      assertEquals(List.of(), outbox.list(List.of(), 10));
      assertEquals(Set.of("30d"), outbox.details("endpoint:a:443", "expiry", "a".repeat(64)));
      assertEquals(Set.of(), outbox.details("endpoint:b:443", "expiry", "a".repeat(64)));
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void titlesAreCutToTheWidthOfTheirColumn(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      AlertOutboxRepository outbox = new AlertOutboxRepository(store);
      OutboxEvent e = new OutboxEvent("3".repeat(64), "certificate:www", "renewal_failed", "", Optional.empty(),
          "critical", "t".repeat(3000), "{}", false);
      outbox.add(e, List.of(new OutboxDelivery("ops@example.com", "none", T0)), T0);
      assertEquals(AlertOutboxRepository.MAX_TITLE, outbox.list(List.of(), 1).get(0).title().length());
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void dueDeliveriesAreClaimedOnceAndAgainOnlyWhenTheirLeaseRanOut(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      AlertOutboxRepository outbox = new AlertOutboxRepository(store);
      outbox.add(event("4", "endpoint:a:443", "7d", false), List.of(new OutboxDelivery("ops@example.com", "none", T0),
          new OutboxDelivery("web@example.com", "1h", T0.plus(Duration.ofHours(1)))), T0);

      List<ClaimedDelivery> first = outbox.claim("sender-1", T0, T0.minus(LEASE), 10);
      assertEquals(1, first.size(), "the digest is not due yet");
      ClaimedDelivery d = first.get(0);
      assertEquals("ops@example.com", d.recipient());
      assertEquals("endpoint:a:443", d.subject());
      assertEquals("expiry", d.kind());
      assertEquals("{\"what\":\"w\"}", d.body());
      assertEquals(0, d.attempts());
      assertEquals(List.of(), outbox.claim("sender-2", T0.plusSeconds(1), T0.plusSeconds(1).minus(LEASE), 10),
          "held by sender-1");

      Instant later = T0.plus(LEASE).plusSeconds(1);
      List<ClaimedDelivery> again = outbox.claim("sender-2", later, later.minus(LEASE), 1);
      assertEquals(List.of(d.id()), ids(again), "sender-1's lease ran out; one at most");
      assertEquals("sending", outbox.list(List.of("sending"), 10).get(0).status());
      // sender-1, slow, comes to send it: it no longer holds it, sender-2 does and renews its lease
      assertEquals(0, outbox.renew("sender-1", List.of(d.id()), later.plusSeconds(1)));
      assertEquals(1, outbox.renew("sender-2", List.of(d.id()), later.plusSeconds(1)));
      assertEquals(List.of(), outbox.claim("sender-3", later.plus(LEASE), later.plus(LEASE).minus(LEASE), 10),
          "a renewed lease runs from the renewal");
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void deliveriesMoveThroughSentDeferredFailedAndReleased(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      AlertOutboxRepository outbox = new AlertOutboxRepository(store);
      for (String r : List.of("a", "b", "c", "d")) {
        outbox.add(event(r, "endpoint:" + r + ":443", "7d", false),
            List.of(new OutboxDelivery(r + "@example.com", "none", T0)), T0);
      }
      List<ClaimedDelivery> claimed = outbox.claim("sender", T0, T0.minus(LEASE), 10);
      assertEquals(4, claimed.size());
      long a = claimed.get(0).id();
      long b = claimed.get(1).id();
      long c = claimed.get(2).id();
      long d = claimed.get(3).id();

      outbox.markSent("sender", List.of(a), "<m1@example.com>", T0.plusSeconds(1));
      // a sender whose lease ran out and was taken over changes nothing of another's claim
      outbox.defer("stale", List.of(new AlertOutboxRepository.Retry(b, 1, T0)), "x", T0.plusSeconds(2));
      outbox.fail("stale", List.of(c), "x", T0.plusSeconds(2));
      outbox.release("stale", List.of(d));
      assertEquals(3, outbox.list(List.of("sending"), 10).size(), "still sender's");

      outbox.defer("sender", List.of(new AlertOutboxRepository.Retry(b, 1, T0.plus(Duration.ofMinutes(1)))),
          "421 busy", T0.plusSeconds(2));
      outbox.fail("sender", List.of(c), "e".repeat(3000), T0.plusSeconds(3));
      outbox.release("sender", List.of(d));

      LedgerEntry sent = outbox.list(List.of("sent"), 10).get(0);
      assertEquals(a, sent.id());
      assertEquals("<m1@example.com>", sent.messageId());
      assertEquals(1, sent.attempts());
      assertEquals(T0.plusSeconds(1), sent.sentAt());
      assertEquals("sender", sent.claimedBy(), "who sent it stays on the row");
      List<LedgerEntry> pending = outbox.list(List.of("pending"), 10);
      assertEquals(List.of(d, b), pending.stream().map(LedgerEntry::id).toList());
      LedgerEntry deferred = pending.get(1);
      assertEquals(1, deferred.attempts());
      assertEquals(T0.plus(Duration.ofMinutes(1)), deferred.nextAttemptAt());
      assertEquals("421 busy", deferred.lastError());
      assertEquals(0, pending.get(0).attempts(), "released untouched");
      LedgerEntry failed = outbox.list(List.of("failed"), 10).get(0);
      assertEquals(AlertOutboxRepository.MAX_ERROR, failed.lastError().length());

      AlertOutboxRepository.Summary s = outbox.summary();
      assertEquals(2, s.pending());
      assertEquals(1, s.sent());
      assertEquals(1, s.failed());
      assertEquals(Optional.of(T0.plusSeconds(3)), s.lastErrorAt(), "the newest error");

      assertEquals(List.of(d), ids(outbox.claim("sender", T0.plusSeconds(4), T0.minus(LEASE), 10)),
          "the deferred one waits for its next attempt");
      assertEquals(1, outbox.retryFailed(T0.plusSeconds(5)));
      assertEquals(0, outbox.summary().failed());
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void aThreadRootIsTheFirstMailOfItsOwnSentToTheRecipientAboutTheSubject(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      AlertOutboxRepository outbox = new AlertOutboxRepository(store);
      outbox.add(event("5", "endpoint:a:443", "30d", false), List.of(new OutboxDelivery("ops@example.com", "daily", T0),
          new OutboxDelivery("web@example.com", "none", T0)), T0);
      outbox.add(event("6", "endpoint:a:443", "7d", false), List.of(new OutboxDelivery("ops@example.com", "none", T0)),
          T0);
      assertEquals(Optional.empty(), outbox.threadRoot("endpoint:a:443", "ops@example.com"));
      for (ClaimedDelivery d : outbox.claim("sender", T0, T0.minus(LEASE), 10)) {
        outbox.markSent("sender", List.of(d.id()), "<" + d.id() + "@example.com>", T0.plusSeconds(d.id()));
      }
      long seven = outbox.list(List.of("sent"), 10).stream()
          .filter(e -> e.recipient().equals("ops@example.com") && e.digest().equals("none")).findFirst().orElseThrow().id();
      assertEquals(Optional.of("<" + seven + "@example.com>"), outbox.threadRoot("endpoint:a:443", "ops@example.com"),
          "not the digest");
      assertEquals(Optional.empty(), outbox.threadRoot("endpoint:b:443", "ops@example.com"));
    }
  }
}
