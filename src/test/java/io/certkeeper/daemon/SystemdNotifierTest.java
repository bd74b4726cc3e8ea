package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SystemdNotifierTest {
  @Test
  void watchdogIntervalIsHalfOfWatchdogUsec() {
    assertEquals(Duration.ofSeconds(15),
        SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "30000000"), 42).orElseThrow());
    assertEquals(Duration.ofSeconds(15),
        SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "42"), 42).orElseThrow());
  }

  @Test
  void watchdogMeantForAnotherProcessOrMalformedIsOff() {
    assertTrue(SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "7"), 42).isEmpty());
    assertTrue(SystemdNotifier.watchdogInterval(Map.of(), 42).isEmpty());
    assertTrue(SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "soon"), 42).isEmpty());
    assertTrue(SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "0"), 42).isEmpty());
  }

  @Test
  void abstractSocketNamesStartWithANulByte() {
    assertArrayEquals("\0systemd/notify".getBytes(StandardCharsets.UTF_8), SystemdNotifier.address("@systemd/notify"));
    assertArrayEquals("/run/systemd/notify".getBytes(StandardCharsets.UTF_8), SystemdNotifier.address("/run/systemd/notify"));
    assertThrows(IllegalArgumentException.class, () -> SystemdNotifier.address("/" + "x".repeat(200)));
    // Linux's sun_path is 108 bytes: a path leaves room for its NUL, an abstract name need not
    assertEquals(107, SystemdNotifier.address("/" + "x".repeat(106)).length);
    assertThrows(IllegalArgumentException.class, () -> SystemdNotifier.address("/" + "x".repeat(107)));
    assertEquals(108, SystemdNotifier.address("@" + "x".repeat(107)).length);
    assertThrows(IllegalArgumentException.class, () -> SystemdNotifier.address("@" + "x".repeat(108)));
  }

  @Test
  void withoutNotifySocketEverythingIsANoOp() {
    try (SystemdNotifier n = SystemdNotifier.fromEnvironment(Map.of("WATCHDOG_USEC", "1000"))) {
      assertFalse(n.enabled());
      n.ready("ready");
      n.reloading();
      n.stopping();
      n.startWatchdog(() -> true);
    }
  }

  @Test
  void aMissingSocketIsLoggedNotThrown() {
    try (SystemdNotifier n = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "/nonexistent/notify.sock"))) {
      assertTrue(n.enabled());
      n.ready("ready");
    }
  }
}
