package io.certkeeper.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;

/**
 * Log lines for journald: no timestamp (the journal has its own), and the sd-daemon priority prefix
 * ({@code <3>} error, {@code <4>} warning, {@code <6>} info, {@code <7>} debug) so that
 * {@code journalctl -p warning} works.
 */
final class JournalLayout extends LayoutBase<ILoggingEvent> {
  @Override
  public String doLayout(ILoggingEvent event) {
    StringBuilder sb = new StringBuilder(128);
    sb.append('<').append(priority(event.getLevel())).append('>');
    sb.append(shortName(event.getLoggerName())).append(" - ").append(event.getFormattedMessage());
    sb.append(CoreConstants.LINE_SEPARATOR);
    IThrowableProxy t = event.getThrowableProxy();
    if (t != null) {
      for (String line : ThrowableProxyUtil.asString(t).split("\\R")) {
        sb.append('<').append(priority(event.getLevel())).append('>').append(line)
            .append(CoreConstants.LINE_SEPARATOR);
      }
    }
    return sb.toString();
  }

  static int priority(Level level) {
    switch (level.toInt()) {
      case Level.ERROR_INT: return 3;
      case Level.WARN_INT: return 4;
      case Level.INFO_INT: return 6;
      default: return 7;
    }
  }

  static String shortName(String logger) {
    int dot = logger.lastIndexOf('.');
    return dot < 0 ? logger : logger.substring(dot + 1);
  }
}
