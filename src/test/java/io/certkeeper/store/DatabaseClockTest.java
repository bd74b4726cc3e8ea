package io.certkeeper.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.StoreBackend;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DatabaseClockTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void measuresHowFarThisClockIsFromTheDatabases(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      Duration same = DatabaseClock.skew(store, Clock.systemUTC());
      assertTrue(same.abs().compareTo(DatabaseClock.MAX_SKEW) <= 0, same.toString());
      Duration ahead = DatabaseClock.skew(store, Clock.offset(Clock.systemUTC(), Duration.ofSeconds(5)));
      assertTrue(ahead.minusSeconds(5).abs().compareTo(DatabaseClock.MAX_SKEW) <= 0, ahead.toString());
      Duration behind = DatabaseClock.skew(store, Clock.offset(Clock.systemUTC(), Duration.ofSeconds(-3)));
      assertTrue(behind.plusSeconds(3).abs().compareTo(DatabaseClock.MAX_SKEW) <= 0, behind.toString());
    }
  }

  @Test
  void refusesMoreThanASecondEitherWay() {
    assertNull(DatabaseClock.refusal(Duration.ofMillis(999), "db"));
    assertNull(DatabaseClock.refusal(Duration.ofMillis(-1000), "db"));
    assertEquals("this host's clock is 3.2 s ahead of the database's (jdbc:postgresql://db/ck): the nodes of a fleet"
        + " must agree on the time to within 1 s; fix the clock (chrony, systemd-timesyncd) and start again",
        DatabaseClock.refusal(Duration.ofMillis(3_200), "jdbc:postgresql://db/ck"));
    assertTrue(DatabaseClock.refusal(Duration.ofMillis(-1_500), "db").startsWith("this host's clock is 1.5 s behind"));
  }
}
