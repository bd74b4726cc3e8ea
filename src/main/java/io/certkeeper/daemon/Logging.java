package io.certkeeper.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.util.Locale;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Logging set-up. The daemon logs to stdout (timestamps in UTC; under systemd, detected by
 * {@code $JOURNAL_STREAM}, no timestamps and journald priority prefixes instead). CLI commands log
 * warnings only, to stderr, so that their stdout stays clean for {@code --json}.
 */
public final class Logging {
  private Logging() {}

  /** Logs for the daemon at {@code level} to stdout. */
  public static void forDaemon(String level, Map<String, String> env) {
    configure(Level.toLevel(level.toUpperCase(Locale.ROOT), Level.INFO), "System.out",
        env.containsKey("JOURNAL_STREAM"));
  }

  /** Logs for a CLI command: warnings (debug with {@code --verbose}) to stderr. */
  public static void forCli(boolean verbose) {
    forCli((LoggerContext) LoggerFactory.getILoggerFactory(), verbose);
  }

  /** As {@link #forCli(boolean)}, on {@code ctx}. */
  static void forCli(LoggerContext ctx, boolean verbose) {
    configure(ctx, verbose ? Level.DEBUG : Level.WARN, "System.err", false);
    if (!verbose) {
      // A command reports a store failure as its own one-line error (and retries the transient
      // ones while a daemon starts or stops): the pool's and the migrator's own lines about the
      // same failure would only repeat it, several lines long. --verbose shows them.
      ctx.getLogger("com.zaxxer.hikari").setLevel(Level.OFF);
      ctx.getLogger("com.zaxxer.hikari.pool.HikariPool").setLevel(Level.OFF);
      ctx.getLogger("org.flywaydb").setLevel(Level.OFF);
    }
  }

  /** Changes the root level, e.g. after a configuration reload. */
  public static void setLevel(String level) {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level.toUpperCase(Locale.ROOT), Level.INFO));
  }

  private static void configure(Level level, String target, boolean journal) {
    configure((LoggerContext) LoggerFactory.getILoggerFactory(), level, target, journal);
  }

  /** Replaces {@code ctx}'s configuration: one console appender on {@code target}, at {@code level}. */
  static void configure(LoggerContext ctx, Level level, String target, boolean journal) {
    ctx.reset();
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(ctx);
    appender.setName("console");
    appender.setTarget(target);
    LayoutBase<ILoggingEvent> layout = journal ? new JournalLayout() : new PlainLayout();
    layout.setContext(ctx);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> enc = new LayoutWrappingEncoder<>();
    enc.setContext(ctx);
    enc.setLayout(layout);
    enc.start();
    appender.setEncoder(enc);
    appender.start();
    Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(appender);
    root.setLevel(level);
    // Libraries are chatty at info; their warnings still come through.
    for (String noisy : new String[] {"org.quartz", "com.zaxxer.hikari", "org.flywaydb", "io.netty", "org.h2"}) {
      ctx.getLogger(noisy).setLevel(level.isGreaterOrEqual(Level.INFO) ? Level.WARN : Level.INFO);
    }
    // The pool names each connection it adds by H2's description of it, whose URL holds the key of
    // the daemon's store server (store.server): never logged, not even with --verbose.
    ctx.getLogger("com.zaxxer.hikari.pool.HikariPool").setLevel(Level.WARN);
  }
}
