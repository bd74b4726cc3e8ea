package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class LoggingDefaultsTest {
  @Test
  void logbackFindsItAsAServiceAndStopsThere() {
    Configurator found = ServiceLoader.load(Configurator.class).findFirst().orElseThrow();
    assertEquals(LoggingDefaults.class, found.getClass());
    assertEquals(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, found.configure(new LoggerContext()));
  }

  @Test
  void configuresACommandsLogging() {
    LoggerContext ctx = new LoggerContext();
    new LoggingDefaults().configure(ctx);
    Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    assertEquals(Level.WARN, root.getLevel());
    assertEquals("System.err", ((ConsoleAppender<?>) root.getAppender("console")).getTarget());
    assertEquals(Level.OFF, ctx.getLogger("com.zaxxer.hikari").getLevel());
    assertEquals(Level.OFF, ctx.getLogger("org.flywaydb").getLevel());
  }
}
