package io.certkeeper.daemon;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's configuration until certkeeper sets its own ({@link Logging}): a CLI command's, warnings
 * to stderr. Registered as a service, so logback neither looks for nor parses an XML file at start
 * (its XML configurator costs a CLI command a large share of its start time).
 */
public final class LoggingDefaults extends ContextAwareBase implements Configurator {
  @Override
  public ExecutionStatus configure(LoggerContext context) {
    Logging.configure(context, ch.qos.logback.classic.Level.WARN, "System.err", false);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
