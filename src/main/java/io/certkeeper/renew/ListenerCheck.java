package io.certkeeper.renew;

import io.certkeeper.config.CertificateConfig;
import io.certkeeper.config.ListenerConfig;
import io.certkeeper.store.ManagedCertificateRepository;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The closed loop of a renewal: does each listener of a managed certificate serve the generation
 * in force? A listener is judged only after it had its chance to load it: it is looked at over a
 * real connection every {@link #POLL} until it serves the expected certificate or {@link #GRACE}
 * has passed; only then is it stale (one ERROR line and a {@code stale_listener} alert).
 *
 * <p>Who checks: the process the listeners run in, the daemon.
 *
 * <ul>
 *   <li>A renewal in the daemon (schedule, admin API) reloads its listeners and checks them at once.
 *   <li>A renewal by the CLI (another process) checks nothing: the daemon's file watcher sees the
 *       {@code current} link change, reloads the listener, and the daemon checks it then.
 *   <li>A listener that is not running is not checked: the daemon issues missing certificates
 *       before it starts its listeners, which load the generation in force when they start and are
 *       checked then.
 * </ul>
 */
final class ListenerCheck {
  /**
   * How long a listener has to serve the generation in force before it is called stale. Covers
   * the file watcher's quiet time (300 ms), a reload with its self-test and the check connection,
   * on a busy host; a healthy listener serves the new certificate well within it.
   */
  static final Duration GRACE = Duration.ofSeconds(5);
  /** Time between two looks at what a listener serves, within {@link #GRACE}. */
  static final Duration POLL = Duration.ofMillis(100);

  /** What one look at a listener comes to. */
  enum Verdict {
    /** It serves the expected certificate. */
    SERVES,
    /** It does not run in this process; nothing to judge. */
    NOT_RUNNING,
    /** It does not serve the expected certificate yet, and its grace is not over: look again. */
    WAIT,
    /** Its grace is over and it still does not serve the expected certificate. */
    STALE
  }

  /** Waits between two looks; {@code Thread::sleep} in production, a clock move in tests. */
  @FunctionalInterface
  interface Pause {
    void pause(Duration d) throws InterruptedException;
  }

  private static final Logger log = LoggerFactory.getLogger(ListenerCheck.class);

  private final Store store;
  private final ManagedCertificateRepository records;
  private final Optional<RenewalAlerts> alerts;
  private final Clock clock;
  private final Pause pause;
  /** Checks under way ("listener sha256"): a renewal's check and a watcher's check do not both report. */
  private final Set<String> running = ConcurrentHashMap.newKeySet();

  ListenerCheck(Store store, String node, Optional<RenewalAlerts> alerts, Clock clock, Pause pause) {
    this.store = Objects.requireNonNull(store, "store");
    this.records = new ManagedCertificateRepository(store, node);
    this.alerts = Objects.requireNonNull(alerts, "alerts");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.pause = Objects.requireNonNull(pause, "pause");
  }

  /**
   * One look, judged.
   *
   * @param running whether the listener runs in this process
   * @param served what a connection to it saw; empty when the connection failed
   * @param deadline the end of its grace
   */
  static Verdict judge(boolean running, Optional<String> served, String expected, Instant now, Instant deadline) {
    if (!running) {
      return Verdict.NOT_RUNNING;
    }
    if (served.filter(expected::equals).isPresent()) {
      return Verdict.SERVES;
    }
    return now.isBefore(deadline) ? Verdict.WAIT : Verdict.STALE;
  }

  /**
   * Checks listener {@code l} of certificate {@code c}, waiting at most {@link #GRACE} for it to
   * serve {@code expected}; records what it serves and raises the alert when it is stale.
   *
   * @return the final verdict: never {@link Verdict#WAIT}
   */
  Verdict check(CertificateConfig c, ListenerConfig l, String expected, ServingListeners listeners) {
    String key = l.name() + " " + expected;
    if (!running.add(key)) {
      return Verdict.WAIT; // the check already under way reports
    }
    try {
      return checkOnce(c, l, expected, listeners);
    } finally {
      running.remove(key);
    }
  }

  private Verdict checkOnce(CertificateConfig c, ListenerConfig l, String expected, ServingListeners listeners) {
    Instant deadline = clock.instant().plus(GRACE);
    while (true) {
      boolean isRunning;
      Optional<String> served;
      String error = "";
      try {
        served = listeners.served(l.name());
        isRunning = served.isPresent();
      } catch (IOException e) {
        isRunning = true;
        served = Optional.empty();
        error = e.getMessage();
      }
      Instant now = clock.instant();
      Verdict v = judge(isRunning, served, expected, now, deadline);
      switch (v) {
        case NOT_RUNNING -> {
          log.info("{} - listener {} is not running here: it loads the certificate in force when it starts", c.name(),
              l.name());
          return v;
        }
        case SERVES -> {
          log.info("{} - listener {} serves the certificate in force {}", c.name(), l.name(), expected);
          recordServed(c, expected, now);
          return v;
        }
        case STALE -> {
          String shown = served.orElse("nothing (" + error + ")");
          log.error("{} - listener {} serves {} instead of the new certificate {} after {}", c.name(), l.name(), shown,
              expected, GRACE);
          String servedSha = served.orElse("none");
          recordServed(c, servedSha, now);
          try {
            if (alerts.isPresent()) {
              store.inTransaction(tx -> {
                alerts.get().staleListener(tx, c.name(), expected, l.name(), servedSha, c.owners());
                return null;
              });
            }
          } catch (StoreException e) {
            log.warn("{} - cannot record the stale listener {}: {}", c.name(), l.name(), e.getMessage());
          }
          return v;
        }
        default -> {
          try {
            pause.pause(POLL);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("{} - check of listener {} interrupted", c.name(), l.name());
            return Verdict.WAIT;
          }
        }
      }
    }
  }

  private void recordServed(CertificateConfig c, String served, Instant now) {
    try {
      records.served(c.name(), served, now);
    } catch (StoreException e) {
      log.warn("{} - cannot record what is served: {}", c.name(), e.getMessage());
    }
  }
}
