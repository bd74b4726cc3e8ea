package io.certkeeper.alert;

import io.certkeeper.config.Config;
import io.certkeeper.store.ManagedRenewals;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerting as the daemon runs it: {@link #evaluate()} for the periodic {@code alert-evaluation}
 * job, and a sender thread that drains the outbox. Both read the configuration in force at each
 * run, so a reload applies. Nothing is evaluated while {@code smtp} is not configured: when it is
 * configured later, the first evaluation catches up with the most severe threshold only.
 */
public final class Alerting {
  private static final Logger log = LoggerFactory.getLogger(Alerting.class);

  private final Supplier<Config> config;
  private final AlertEvaluator evaluator;
  private final AlertSender sender;
  private final FileAlerts files;
  private final IssuedAlerts issued;

  private Alerting(Store store, Supplier<Config> config, Clock clock, ManagedRenewals managed) {
    this.config = Objects.requireNonNull(config, "config");
    this.evaluator = AlertEvaluator.create(store, () -> config.get().alerts(), clock, managed);
    this.sender = AlertSender.create(store, () -> config.get().smtp(), clock, config.get().nodeName());
    this.files = new FileAlerts(store, config.get().nodeName(), evaluator.outbox(), clock);
    this.issued = new IssuedAlerts(store, evaluator.outbox(), clock, managed);
  }

  public static Alerting create(Store store, Supplier<Config> config, Clock clock) {
    return new Alerting(store, config, clock, ManagedRenewals.NONE);
  }

  /** Alerting that judges the certificates in {@code managed} by their renewal. */
  public static Alerting create(Store store, Supplier<Config> config, Clock clock, ManagedRenewals managed) {
    return new Alerting(store, config, clock, managed);
  }

  /** One evaluation; wakes the sender when it wrote alerts. */
  public void evaluate() throws StoreException {
    if (!config.get().smtp().isEnabled()) {
      log.debug("alerts - smtp is not configured; nothing evaluated");
      return;
    }
    AlertEvaluator.Result r = evaluator.evaluate();
    int alerted = r.alerted();
    try {
      alerted += files.evaluate(config.get().alerts())[0];
    } catch (StoreException e) {
      log.warn("files - alert evaluation failed: {}", e.getMessage());
    }
    try {
      alerted += issued.evaluate(config.get().alerts())[0];
    } catch (StoreException e) {
      log.warn("issued certificates - alert evaluation failed: {}", e.getMessage());
    }
    if (alerted > 0) {
      sender.wake();
    }
  }

  /** The outbox other parts (renewal) write their events to, inside their own transactions. */
  public AlertOutbox outbox() {
    return evaluator.outbox();
  }

  public void start() {
    sender.start();
  }

  /** Stops the sender without interrupting it; whether it finished within {@code wait}. */
  public boolean stop(Duration wait) throws InterruptedException {
    return sender.stop(wait);
  }
}
