package io.certkeeper.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.certkeeper.testing.StoreBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** http-01 answers: published, answered until they expire or are withdrawn, then gone. */
class AcmeChallengeRepositoryTest {
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void anAnswerLastsUntilItExpiresOrIsWithdrawn(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      AcmeChallengeRepository repo = new AcmeChallengeRepository(store);
      repo.publish("tok-a", "tok-a.thumb", "www.example.com", "node-a", T0, T0.plus(Duration.ofMinutes(6)));
      repo.publish("tok-b", "tok-b.thumb", "api.example.com", "node-b", T0, T0.plus(Duration.ofMinutes(1)));
      assertEquals(Optional.of("tok-a.thumb"), repo.answer("tok-a", T0.plusSeconds(5)));
      assertEquals(Optional.of("tok-b.thumb"), repo.answer("tok-b", T0.plusSeconds(5)), "any node's answer");
      assertEquals(Optional.empty(), repo.answer("tok-b", T0.plus(Duration.ofMinutes(1))), "expired");
      assertEquals(Optional.empty(), repo.answer("nope", T0));

      // a new publish replaces the token's answer and clears what expired
      repo.publish("tok-a", "tok-a.other", "www.example.com", "node-a", T0.plus(Duration.ofMinutes(2)),
          T0.plus(Duration.ofMinutes(8)));
      assertEquals(Optional.of("tok-a.other"), repo.answer("tok-a", T0.plus(Duration.ofMinutes(2))));
      repo.withdraw("tok-a");
      assertEquals(Optional.empty(), repo.answer("tok-a", T0.plus(Duration.ofMinutes(2))));
    }
  }
}
