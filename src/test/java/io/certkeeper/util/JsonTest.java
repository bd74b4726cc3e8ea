package io.certkeeper.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  enum State { NORMAL, HANDSHAKE_FAILED }

  record Row(Instant at, State state, List<Instant> more) {}

  enum Window implements Coded {
    HOURLY("1h"), SERVER_CLIENT("server-client");

    private final String code;

    Window(String code) {
      this.code = code;
    }

    @Override
    public String code() {
      return code;
    }
  }

  record Held(Window window) {}

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
  void codedEnumsAreWrittenAndReadAsTheirCode() throws Exception {
    assertEquals("{\"window\":\"server-client\"}", Json.mapper().writeValueAsString(new Held(Window.SERVER_CLIENT)));
    assertEquals(new Held(Window.HOURLY), Json.mapper().readValue("{\"window\":\"1h\"}", Held.class));
    assertEquals(Window.SERVER_CLIENT, Json.mapper().readValue("\"Server-Client\"", Window.class));
  }

  @Test
  void anUnknownCodeNamesTheKnownOnes() {
    InvalidFormatException e = assertThrows(InvalidFormatException.class,
        () -> Json.mapper().readValue("{\"window\":\"2h\"}", Held.class));
    assertEquals("'2h' is not one of 1h, server-client", e.getOriginalMessage());
  }

  @Test
  void instantsWrittenByEarlierVersionsStillRead() throws Exception {
    Map<String, Instant> m = Json.mapper().readValue("{\"a\":\"2026-11-30T16:49:23.185744Z\"}",
        new com.fasterxml.jackson.core.type.TypeReference<Map<String, Instant>>() {});
    assertEquals(Instant.parse("2026-11-30T16:49:23.185744Z"), m.get("a"));
  }
}
