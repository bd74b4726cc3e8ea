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
      ListenerStateRepository listeners = new ListenerStateRepository(store);
      listeners.loaded("web", "127.0.0.1:8443", "proxy", "aa", "1f", NOT_AFTER, T0);
      listeners.loaded("admin", "127.0.0.1:9443", "admin", "bb", "2f", NOT_AFTER, T0);
      listeners.verified("web", "cc", T0.plusSeconds(1));
      listeners.failed("web", "e".repeat(5000), T0.plusSeconds(2));

      List<ListenerState> all = listeners.list();
      assertEquals(List.of("admin", "web"), all.stream().map(ListenerState::name).toList());
      ListenerState web = all.get(1);
      assertEquals(new ListenerState("web", "127.0.0.1:8443", "proxy", "aa", "1f", NOT_AFTER, T0, Optional.of("cc"),
          Optional.of(T0.plusSeconds(1)), Optional.of("e".repeat(4000)), Optional.of(T0.plusSeconds(2))), web);
      assertTrue(web.mismatch());

      listeners.loaded("web", "127.0.0.1:8444", "proxy", "dd", "3f", NOT_AFTER.plusSeconds(60), T0.plusSeconds(10));
      web = listeners.list().get(1);
      assertEquals(new ListenerState("web", "127.0.0.1:8444", "proxy", "dd", "3f", NOT_AFTER.plusSeconds(60),
          T0.plusSeconds(10), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()), web);
      assertFalse(web.mismatch());
    }
  }
}
