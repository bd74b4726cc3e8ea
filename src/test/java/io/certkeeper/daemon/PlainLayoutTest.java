package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PlainLayoutTest {
  private final LoggerContext ctx = new LoggerContext();
  private final Logger logger = ctx.getLogger("io.certkeeper.store.Store");

  private String line(Level level, String msg, Throwable t, Object... args) {
    LoggingEvent e = new LoggingEvent(Logger.class.getName(), logger, level, msg, t, args);
    e.setInstant(Instant.parse("2026-12-01T02:50:07.004Z"));
    PlainLayout layout = new PlainLayout();
    layout.setContext(ctx);
    layout.start();
    return layout.doLayout(e);
  }

  @Test
  void timeInUtcLevelPaddedToFiveShortLoggerName() {
    assertEquals("2026-12-01T02:50:07.004Z WARN  Store - held by pid 42" + System.lineSeparator(),
        line(Level.WARN, "held by pid {}", null, 42));
    assertEquals("2026-12-01T02:50:07.004Z ERROR Store - x" + System.lineSeparator(), line(Level.ERROR, "x", null));
  }

  @Test
  void stackTraceFollowsTheLine() {
    String s = line(Level.ERROR, "failed", new IllegalStateException("boom"));
    assertTrue(s.startsWith("2026-12-01T02:50:07.004Z ERROR Store - failed" + System.lineSeparator()
        + "java.lang.IllegalStateException: boom"), s);
    assertTrue(s.contains("\tat io.certkeeper.daemon.PlainLayoutTest"), s);
  }
}
