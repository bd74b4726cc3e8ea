package io.certkeeper.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.PrometheusText;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StoreMetricsTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "CN=R11,O=Let's Encrypt,C=US | R11",
    "CN=leaf.example,OU=Web+CN=other,O=Acme | leaf.example",
    "O=No Common Name Inc,C=US | O=No Common Name Inc,C=US",
    "CN=Comma\\, Inc. Root | 'Comma, Inc. Root'",
    "not a DN | not a DN",
  })
  void labelsIssuersByTheirMostSpecificCommonName(String dn, String expected) {
    assertEquals(expected, StoreMetrics.commonName(dn));
  }

  @Test
  void renewalIsDueAfterTwoThirdsOfTheLifetime() {
    Instant from = Instant.parse("2026-01-01T00:00:00Z");
    assertEquals(Instant.parse("2026-03-02T00:00:00Z"), StoreMetrics.renewalTime(from, from.plusSeconds(90L * 86400)));
  }

  @Test
  void jvmAndProcessMetricsUseTheJavaClientsNames() {
    Exposition e = new Exposition();
    JvmMetrics.addTo(e);
    Map<String, PrometheusText.Family> m = PrometheusText.parse(e.toString());
    assertTrue(m.get("jvm_memory_used_bytes").value(Map.of("area", "heap")) > 0);
    assertTrue(m.get("jvm_threads_current").samples().get(0).value() >= 1);
    assertEquals("counter", m.get("process_cpu_seconds_total").type());
    assertTrue(m.get("process_cpu_seconds_total").samples().get(0).value() > 0);
    assertTrue(m.get("process_resident_memory_bytes").samples().get(0).value() > 1_000_000);
    double start = m.get("process_start_time_seconds").samples().get(0).value();
    assertTrue(start > 1.6e9 && start <= System.currentTimeMillis() / 1000.0, "start " + start);
    assertTrue(m.get("process_open_fds").samples().get(0).value() > 0);
    assertEquals("summary", m.get("jvm_gc_collection_seconds").type());
  }
}
