package io.certkeeper.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  enum State { NORMAL, HANDSHAKE_FAILED }

  record Row(Instant at, State state, List<Instant> more) {}

  @Test
  void instantsAreRfc3339UtcInWholeSecondsWhateverTheirPrecision() throws Exception {
    Row r = new Row(Instant.parse("2026-11-30T16:49:23.185744Z"), State.NORMAL,
        List.of(Instant.parse("2026-12-30T16:48:35Z"), Instant.parse("2026-11-30T16:50:41.385Z")));
    assertEquals("{\"at\":\"2026-11-30T16:49:23Z\",\"state\":\"normal\","
        + "\"more\":[\"2026-12-30T16:48:35Z\",\"2026-11-30T16:50:41Z\"]}", Json.mapper().writeValueAsString(r));
    assertEquals("2026-11-30T16:49:23Z", Timestamps.format(r.at()));
  }

  @Test
  void enumsAreLowerCaseAndReadInAnyCase() throws Exception {
    assertEquals("\"handshake_failed\"", Json.mapper().writeValueAsString(State.HANDSHAKE_FAILED));
    assertEquals(State.HANDSHAKE_FAILED, Json.mapper().readValue("\"HANDSHAKE_FAILED\"", State.class));
    assertEquals(State.HANDSHAKE_FAILED, Json.mapper().readValue("\"handshake_failed\"", State.class));
  }

  @Test
  void instantsWrittenByEarlierVersionsStillRead() throws Exception {
    Map<String, Instant> m = Json.mapper().readValue("{\"a\":\"2026-11-30T16:49:23.185744Z\"}",
        new com.fasterxml.jackson.core.type.TypeReference<Map<String, Instant>>() {});
    assertEquals(Instant.parse("2026-11-30T16:49:23.185744Z"), m.get("a"));
  }
}
