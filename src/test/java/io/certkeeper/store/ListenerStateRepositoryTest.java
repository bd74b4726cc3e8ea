package io.certkeeper.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.StoreBackend;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ListenerStateRepositoryTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:44:37Z");
  private static final Instant NOT_AFTER = Instant.parse("2027-02-21T10:44:37Z");

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void aSwapReplacesWhatWasLoadedAndForgetsTheLastCheckAndError(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      ListenerStateRepository listeners = new ListenerStateRepository(store, "node-a");
      listeners.loaded("web", "127.0.0.1:8443", "proxy", "aa", "1f", NOT_AFTER, T0);
      listeners.loaded("admin", "127.0.0.1:9443", "admin", "bb", "2f", NOT_AFTER, T0);
      listeners.verified("web", "cc", T0.plusSeconds(1));
      listeners.failed("web", "e".repeat(5000), T0.plusSeconds(2));

      List<ListenerState> all = listeners.list();
      assertEquals(List.of("admin", "web"), all.stream().map(ListenerState::name).toList());
      ListenerState web = all.get(1);
      assertEquals(new ListenerState("node-a", "web", "127.0.0.1:8443", "proxy", "aa", "1f", NOT_AFTER, T0, Optional.of("cc"),
          Optional.of(T0.plusSeconds(1)), Optional.of("e".repeat(4000)), Optional.of(T0.plusSeconds(2))), web);
      assertTrue(web.mismatch());

      listeners.loaded("web", "127.0.0.1:8444", "proxy", "dd", "3f", NOT_AFTER.plusSeconds(60), T0.plusSeconds(10));
      web = listeners.list().get(1);
      assertEquals(new ListenerState("node-a", "web", "127.0.0.1:8444", "proxy", "dd", "3f", NOT_AFTER.plusSeconds(60),
          T0.plusSeconds(10), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()), web);
      assertFalse(web.mismatch());
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void eachNodeHasItsOwnListenersOfAName(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      ListenerStateRepository a = new ListenerStateRepository(store, "node-a");
      ListenerStateRepository b = new ListenerStateRepository(store, "node-b");
      a.loaded("web", "127.0.0.1:8443", "proxy", "aa", "1f", NOT_AFTER, T0);
      a.loaded("old", "127.0.0.1:8444", "echo", "aa", "1f", NOT_AFTER, T0);
      b.loaded("web", "127.0.0.1:8443", "proxy", "bb", "2f", NOT_AFTER, T0);
      b.failed("web", "refused", T0.plusSeconds(1));

      assertEquals(List.of("aa", "aa"), a.list().stream().map(ListenerState::sha256).toList());
      assertEquals(Optional.empty(), a.list().get(1).lastError(), "node-b's failure is its own");
      assertEquals(Optional.of("refused"), b.list().get(0).lastError());
      assertEquals(List.of("node-a/old", "node-a/web", "node-b/web"),
          ListenerStateRepository.everyNode(store).stream().map(l -> l.node() + "/" + l.name()).toList());

      assertEquals(1, a.retainOnly(List.of("web")), "old is no longer configured");
      assertEquals(List.of("node-a/web", "node-b/web"),
          ListenerStateRepository.everyNode(store).stream().map(l -> l.node() + "/" + l.name()).toList());
    }
  }
}
