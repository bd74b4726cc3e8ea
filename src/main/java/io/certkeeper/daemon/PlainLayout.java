package io.certkeeper.daemon;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Log lines outside journald: {@code 2026-12-01T02:50:00.123Z WARN  Store - message}, the time in
 * UTC, then the stack trace when there is one. Written by hand rather than as a logback pattern,
 * whose compilation is a noticeable share of a short command's start.
 */
final class PlainLayout extends LayoutBase<ILoggingEvent> {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  @Override
  public String doLayout(ILoggingEvent event) {
    StringBuilder sb = new StringBuilder(128);
    TIME.formatTo(event.getInstant(), sb);
    String level = event.getLevel().toString();
    sb.append(' ').append(level);
    for (int i = level.length(); i < 5; i++) {
      sb.append(' ');
    }
    sb.append(' ').append(JournalLayout.shortName(event.getLoggerName())).append(" - ")
        .append(event.getFormattedMessage()).append(CoreConstants.LINE_SEPARATOR);
    IThrowableProxy t = event.getThrowableProxy();
    if (t != null) {
      sb.append(ThrowableProxyUtil.asString(t)).append(CoreConstants.LINE_SEPARATOR);
    }
    return sb.toString();
  }
}
