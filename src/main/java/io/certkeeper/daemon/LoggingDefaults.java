package io.certkeeper.daemon;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's configuration when logback starts: a CLI command's ({@link Logging#forCli}, warnings to
 * stderr); the daemon and {@code --verbose} replace it. Registered as a service, so logback neither
 * looks for nor parses an XML file (its XML configurator costs a CLI command a large share of its
 * start time), and a command that never logs never starts logback at all.
 */
public final class LoggingDefaults extends ContextAwareBase implements Configurator {
  @Override
  public ExecutionStatus configure(LoggerContext context) {
    Logging.forCli(context, false);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
