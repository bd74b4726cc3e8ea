package io.certkeeper.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.PrometheusText;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ExpositionTest {
  @Test
  void writesHelpTypeAndSamplesSortedByFamilyThenLabels() {
    Exposition e = new Exposition();
    e.gauge("b_metric", "B.", "endpoint").add(2, "z:443");
    e.gauge("b_metric", "B.", "endpoint").add(1, "a:443");
    e.counter("a_events_total", "A.", "result").add(5, "ok");
    assertEquals("""
        # HELP a_events_total A.
        # TYPE a_events_total counter
        a_events_total{result="ok"} 5
        # HELP b_metric B.
        # TYPE b_metric gauge
        b_metric{endpoint="a:443"} 1
        b_metric{endpoint="z:443"} 2
        """, e.toString());
  }

  @Test
  void escapesLabelValuesAndHelpSoAStrictParserReadsThemBack() {
    String nasty = "C=\"x\"\\y\nz, ü";
    Exposition e = new Exposition();
    e.gauge("m", "help with \\ and\nnewline", "issuer").add(1, nasty);
    String text = e.toString();
    assertTrue(text.contains("m{issuer=\"C=\\\"x\\\"\\\\y\\nz, ü\"} 1\n"), text);
    PrometheusText.Family f = PrometheusText.parse(text).get("m");
    assertEquals("help with \\ and\nnewline", f.help());
    assertEquals(nasty, f.samples().get(0).labels().get("issuer"));
  }

  @Test
  void emptyLabelValuesAreLeftOut() {
    Exposition e = new Exposition();
    e.gauge("m", "M.", "name", "endpoint").add(1, "", "web:443");
    assertEquals("m{endpoint=\"web:443\"} 1", e.toString().lines().toList().get(2));
  }

  @Test
  void aSecondSampleWithTheSameLabelsIsIgnored() {
    Exposition e = new Exposition();
    Exposition.Family f = e.gauge("m", "M.", "endpoint");
    assertTrue(f.add(1, "a"));
    assertFalse(f.add(2, "a"));
    assertEquals(1.0, PrometheusText.parse(e.toString()).get("m").value(Map.of("endpoint", "a")));
  }

  @Test
  void summariesHaveSumAndCount() {
    Exposition e = new Exposition();
    e.summary("jvm_gc_collection_seconds", "GC.", "gc").addSummary(0.25, 3, "G1 Young Generation");
    assertEquals(List.of("jvm_gc_collection_seconds_count{gc=\"G1 Young Generation\"} 3",
        "jvm_gc_collection_seconds_sum{gc=\"G1 Young Generation\"} 0.25"), e.toString().lines().skip(2).toList());
    PrometheusText.parse(e.toString());
  }

  @Test
  void rejectsInvalidNamesWrongArityAndCountersWithoutTotal() {
    Exposition e = new Exposition();
    assertThrows(IllegalArgumentException.class, () -> e.gauge("1bad", "x"));
    assertThrows(IllegalArgumentException.class, () -> e.gauge("ok", "x", "bad-label"));
    assertThrows(IllegalArgumentException.class, () -> e.gauge("ok2", "x", "__reserved"));
    assertThrows(IllegalArgumentException.class, () -> e.counter("events", "x"));
    assertThrows(IllegalArgumentException.class, () -> e.gauge("ok3", "x", "a").add(1, "v", "w"));
    e.gauge("twice", "x", "a");
    assertThrows(IllegalArgumentException.class, () -> e.gauge("twice", "x", "b"));
  }

  @ParameterizedTest
  @CsvSource({
    "0, 0",
    "1700000000, 1700000000",
    "0.014, 0.014",
    "-1, -1",
    "1.5E-4, 1.5E-4",
    "NaN, NaN",
    "Infinity, +Inf",
    "-Infinity, -Inf",
  })
  void formatsValuesAsPrometheusReadsThem(double value, String text) {
    assertEquals(text, Exposition.format(value));
  }
}
