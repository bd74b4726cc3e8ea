package io.certkeeper.cli;

import io.certkeeper.renew.RenewalStep;
import io.certkeeper.util.Coded;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fault injection for the crash tests, chosen only here at the entry point: with {@value #ENV} set to
 * a {@link RenewalStep}'s code ({@code after-swap}, ...), the process halts as a {@code kill -9}
 * would (no shutdown hooks, exit status 137) when a renewal passes that step. The renewal code
 * itself only reports its steps.
 */
final class CrashAtStep {
  /** The environment variable naming the step. */
  static final String ENV = "CERTKEEPER_TEST_CRASH_AT";
  /** The status a {@code kill -9} leaves. */
  static final int STATUS = 137;

  private static final Logger log = LoggerFactory.getLogger(CrashAtStep.class);

  private CrashAtStep() {}

  /** The observer {@code env} asks for: none unless {@value #ENV} names a step. */
  static RenewalStep.Observer fromEnvironment(Map<String, String> env) {
    String value = env.get(ENV);
    if (value == null || value.isBlank()) {
      return RenewalStep.Observer.NONE;
    }
    Optional<RenewalStep> step = Coded.find(RenewalStep.class, value);
    if (step.isEmpty()) {
      throw CliException.usage(ENV + "=" + value + " names no step; one of: " + Coded.codes(RenewalStep.class));
    }
    RenewalStep at = step.get();
    return (certificate, passed) -> {
      if (passed == at) {
        log.warn("{} - stopping dead at {} ({} is set)", certificate, passed.code(), ENV);
        Runtime.getRuntime().halt(STATUS);
      }
    };
  }
}
