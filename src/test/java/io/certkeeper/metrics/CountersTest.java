package io.certkeeper.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.certkeeper.testing.PrometheusText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CountersTest {
  @Test
  void countsFromManyThreadsWithoutLosingAny() throws Exception {
    Counters c = new Counters();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread th = new Thread(() -> {
        for (int i = 0; i < 1000; i++) {
          c.renewal("success");
          c.alert("expiring", "sent");
        }
      });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    c.renewal("failure");
    assertEquals(4000, c.renewals("success"));
    assertEquals(1, c.renewals("failure"));
    assertEquals(4000, c.alerts("expiring", "sent"));
    assertEquals(0, c.alerts("expiring", "failed"));
  }

  @Test
  void rendersBothFamiliesAlsoBeforeAnythingWasCounted() {
    Counters c = new Counters();
    Exposition empty = new Exposition();
    c.addTo(empty);
    Map<String, PrometheusText.Family> none = PrometheusText.parse(empty.toString());
    assertEquals("counter", none.get("certkeeper_renewals_total").type());
    assertEquals(List.of(), none.get("certkeeper_alerts_total").samples());

    c.alert("probe_failed", "sent");
    c.alert("probe_failed", "sent");
    c.alert("probe_failed", "failed");
    Exposition e = new Exposition();
    c.addTo(e);
    PrometheusText.Family alerts = PrometheusText.parse(e.toString()).get("certkeeper_alerts_total");
    assertEquals(2.0, alerts.value(Map.of("event", "probe_failed", "result", "sent")));
    assertEquals(1.0, alerts.value(Map.of("event", "probe_failed", "result", "failed")));
  }

  @Test
  void refusesFreeTextAsALabelValue() {
    Counters c = new Counters();
    assertThrows(IllegalArgumentException.class, () -> c.renewal("failed: connection refused"));
    assertThrows(IllegalArgumentException.class, () -> c.alert("Expiring", "sent"));
    assertThrows(IllegalArgumentException.class, () -> c.alert("expiring", "2026-01-01"));
    assertThrows(IllegalArgumentException.class, () -> c.renewal(null));
  }
}
