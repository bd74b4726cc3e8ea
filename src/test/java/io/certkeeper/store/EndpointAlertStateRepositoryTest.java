package io.certkeeper.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.certkeeper.testing.StoreBackend;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the alert evaluator remembers per endpoint. */
class EndpointAlertStateRepositoryTest {
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void theStateOfAnEndpointIsKeptAndReplaced(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      EndpointAlertStateRepository repo = new EndpointAlertStateRepository(store);
      assertEquals(Optional.empty(), repo.find("a:443"));
      EndpointAlertState first = new EndpointAlertState("a:443", 0, List.of("expired", "hostname_mismatch"), false, 7);
      repo.insert(first, T0);
      assertEquals(Optional.of(first), repo.find("a:443"));

      EndpointAlertState next = new EndpointAlertState("a:443", 1, List.of(), true, 9);
      repo.update(next, T0.plusSeconds(60));
      assertEquals(Optional.of(next), repo.find("a:443"));
      assertEquals(Optional.empty(), repo.find("b:443"), "one row per endpoint");
    }
  }
}
