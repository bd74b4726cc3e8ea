package io.certkeeper.alert;

import io.certkeeper.config.SmtpConfig;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox. Each round claims the due deliveries (with a {@link #LEASE}), sends them over
 * one SMTP connection, and marks each sent with its Message-ID in a transaction of its own once the
 * server has accepted it. Digest deliveries of one recipient go out as one mail.
 *
 * <p>Temporary failures (server down, timeouts, 4xx) back off per delivery ({@link DeliveryBackoff}); 5xx
 * fails the delivery for good; bad credentials or a refused STARTTLS fail the delivery that met
 * them and pause the sender for {@link #CONFIG_PAUSE} or until the smtp configuration or the
 * password it refers to changes.
 * Everything is recorded on the delivery: attempts, next attempt, last error.
 */
public final class AlertSender {
  /** A claimed delivery whose sender died is claimable again after this. Longer than any send. */
  static final Duration LEASE = Duration.ofMinutes(5);
  /** After a configuration error (credentials, STARTTLS) the sender waits this long, or for a new config. */
  static final Duration CONFIG_PAUSE = Duration.ofHours(1);
  /** Deliveries claimed per round. */
  static final int BATCH = 50;
  /** How often the running sender looks for due deliveries. */
  static final Duration POLL = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(AlertSender.class);

  private final AlertLedger ledger;
  private final Supplier<SmtpConfig> smtp;
  private final Clock clock;
  private final String claimer;
  private volatile Consumer<List<Long>> afterAccepted = ids -> {};
  private volatile boolean stopping;
  private Pause pause;
  private ScheduledExecutorService thread;

  /** A pause after a configuration error; it ends early when the configuration or the password changes. */
  private record Pause(SmtpConfig config, String passwordDigest, Instant until, String reason) {
    boolean holds(SmtpConfig now, Instant at) {
      return config.equals(now) && passwordDigest.equals(AlertSender.passwordDigest(now)) && at.isBefore(until);
    }
  }

  /** A digest of the password the reference resolves to now, so that fixing the secret ends a pause. */
  static String passwordDigest(SmtpConfig cfg) {
    if (cfg.password().isEmpty()) {
      return "";
    }
    try {
      char[] pw = cfg.password().get().resolve();
      byte[] d = java.security.MessageDigest.getInstance("SHA-256")
          .digest(new String(pw).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      java.util.Arrays.fill(pw, '\0');
      return java.util.HexFormat.of().formatHex(d);
    } catch (java.io.IOException e) {
      return "unreadable";
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** What one round did. */
  public record Round(int sent, int deferred, int failed, boolean paused) {
    static final Round IDLE = new Round(0, 0, 0, false);
  }

  private AlertSender(Store store, Supplier<SmtpConfig> smtp, Clock clock, String node) {
    this.ledger = new AlertLedger(Objects.requireNonNull(store, "store"));
    this.smtp = Objects.requireNonNull(smtp, "smtp");
    this.clock = Objects.requireNonNull(clock, "clock");
    // who sent, in alert_deliveries.claimed_by: the node, this process, and this sender
    this.claimer = Objects.requireNonNull(node, "node") + "/pid-" + ProcessHandle.current().pid() + "-"
        + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * A sender over {@code store} for the node named {@code node}, reading the smtp configuration at
   * each round (reloads apply).
   */
  public static AlertSender create(Store store, Supplier<SmtpConfig> smtp, Clock clock, String node) {
    return new AlertSender(store, smtp, clock, node);
  }

  /** Test seam: runs after the server accepted a mail and before it is marked sent (a crash there duplicates). */
  void afterAccepted(Consumer<List<Long>> hook) {
    this.afterAccepted = Objects.requireNonNull(hook, "hook");
  }

  /** One round: claim what is due, send it, record the outcome of each. */
  public synchronized Round runOnce() throws StoreException {
    SmtpConfig cfg = smtp.get();
    if (!cfg.isEnabled()) {
      return Round.IDLE;
    }
    Instant now = clock.instant();
    if (pause != null) {
      if (pause.holds(cfg, now)) {
        return new Round(0, 0, 0, true);
      }
      log.info("smtp - resuming delivery after: {}", pause.reason());
      pause = null;
    }
    List<Delivery> claimed = ledger.claim(claimer, now, LEASE, BATCH);
    if (claimed.isEmpty()) {
      return Round.IDLE;
    }
    List<List<Delivery>> mails = group(claimed);
    int sent = 0;
    int deferred = 0;
    int failed = 0;
    MailTransport transport;
    MailTransport.Open open;
    try {
      transport = MailTransport.forConfig(cfg);
      open = transport.open();
    } catch (SmtpFailure f) {
      return afterFailure(f, mails, 0, cfg, 0);
    }
    try {
      for (int i = 0; i < mails.size(); i++) {
        if (stopping) {
          // give the rest back at once rather than when the lease expires
          List<Delivery> rest = new ArrayList<>();
          mails.subList(i, mails.size()).forEach(rest::addAll);
          ledger.release(claimer, rest);
          break;
        }
        List<Delivery> mail = mails.get(i);
        List<Long> ids = mail.stream().map(Delivery::id).toList();
        if (!ledger.renew(claimer, mail, clock.instant())) {
          // a slow batch outlived its lease and another sender (another node) took over: it sends them
          ledger.release(claimer, mail);
          log.warn("{} - {} deliveries were taken over by another sender after this one's lease ran out; not"
              + " sending them here", mail.get(0).recipient(), mail.size());
          continue;
        }
        String messageId;
        try {
          MimeMessage m;
          Delivery first = mail.get(0);
          if (first.digest().equals(DigestWindow.NONE)) {
            messageId = MailComposer.messageId("alert", first.id(), first.eventId(), transport.from());
            m = MailComposer.alert(transport.session(), transport.from(), first,
                ledger.threadRoot(first.subject(), first.recipient()), messageId, clock.instant());
          } else {
            messageId = MailComposer.messageId("digest", first.id(), mail.size(), transport.from());
            m = MailComposer.digest(transport.session(), transport.from(), first.recipient(), mail, messageId,
                clock.instant());
          }
          String reply = open.send(m);
          afterAccepted.accept(ids);
          ledger.markSent(claimer, ids, messageId, clock.instant());
          sent += mail.size();
          log.info("{} - mail accepted ({}): {} [{}]", first.recipient(), reply, m.getSubject(), messageId);
        } catch (MessagingException e) {
          // composing failed (a malformed address): retrying cannot help
          ledger.fail(claimer, mail, "cannot compose: " + SmtpFailure.oneLine(e.getMessage()), clock.instant());
          failed += mail.size();
        } catch (SmtpFailure f) {
          if (f.kind() == SmtpFailure.Kind.TEMPORARY && isConnectionLost(f)) {
            Round r = afterFailure(f, mails, i, cfg, sent);
            return new Round(sent, deferred + r.deferred(), failed, false);
          }
          if (f.kind() == SmtpFailure.Kind.CONFIG) {
            Round r = afterFailure(f, mails, i, cfg, sent);
            return new Round(sent, deferred, failed + r.failed(), true);
          }
          record(f, mail);
          if (f.kind() == SmtpFailure.Kind.PERMANENT) {
            failed += mail.size();
          } else {
            deferred += mail.size();
          }
        }
      }
    } finally {
      open.close();
    }
    return new Round(sent, deferred, failed, false);
  }

  /** A failure that ends the round at mail {@code from}: record it there, and for the rest. */
  private Round afterFailure(SmtpFailure f, List<List<Delivery>> mails, int from, SmtpConfig cfg, int sent)
      throws StoreException {
    Instant now = clock.instant();
    List<Delivery> rest = new ArrayList<>();
    for (int i = from + 1; i < mails.size(); i++) {
      rest.addAll(mails.get(i));
    }
    List<Delivery> first = mails.get(from);
    switch (f.kind()) {
      case CONFIG:
        ledger.fail(claimer, first, f.getMessage(), now);
        ledger.release(claimer, rest);
        pause = new Pause(cfg, passwordDigest(cfg), now.plus(CONFIG_PAUSE), f.getMessage());
        log.error("smtp - {}; delivery paused for {} or until the smtp configuration or password changes", f.getMessage(),
            CONFIG_PAUSE);
        return new Round(sent, 0, first.size(), true);
      case PERMANENT:
        ledger.fail(claimer, first, f.getMessage(), now);
        ledger.release(claimer, rest);
        log.error("smtp - {}; not retried", f.getMessage());
        return new Round(sent, 0, first.size(), false);
      default:
        List<Delivery> all = new ArrayList<>(first);
        all.addAll(rest);
        ledger.defer(claimer, all, f.getMessage(), now);
        log.warn("smtp - {}; {} deliveries retried later", f.getMessage(), all.size());
        return new Round(sent, all.size(), 0, false);
    }
  }

  private void record(SmtpFailure f, List<Delivery> mail) throws StoreException {
    Instant now = clock.instant();
    if (f.kind() == SmtpFailure.Kind.PERMANENT) {
      ledger.fail(claimer, mail, f.getMessage(), now);
      log.error("{} - mail refused for good: {}", mail.get(0).recipient(), f.getMessage());
    } else {
      ledger.defer(claimer, mail, f.getMessage(), now);
      log.warn("{} - mail deferred: {}", mail.get(0).recipient(), f.getMessage());
    }
  }

  /** A temporary failure that is not an SMTP reply (the connection broke): the rest will fail too. */
  private static boolean isConnectionLost(SmtpFailure f) {
    return !f.getMessage().contains("rejected (");
  }

  /** One mail per immediate delivery; one per recipient for its due digest deliveries. */
  static List<List<Delivery>> group(List<Delivery> claimed) {
    List<List<Delivery>> out = new ArrayList<>();
    Map<String, List<Delivery>> digests = new LinkedHashMap<>();
    for (Delivery d : claimed) {
      if (d.digest().equals(DigestWindow.NONE)) {
        out.add(List.of(d));
      } else {
        digests.computeIfAbsent(d.recipient(), r -> new ArrayList<>()).add(d);
      }
    }
    out.addAll(digests.values());
    return out;
  }

  /** Starts the delivery thread: a round every {@link #POLL}, and on {@link #wake()}. */
  public synchronized void start() {
    if (thread != null) {
      return;
    }
    stopping = false;
    thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "certkeeper-alert-sender");
      t.setDaemon(true);
      return t;
    });
    thread.scheduleWithFixedDelay(this::safeRound, 1, POLL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Asks for a round now (after new alerts were written). */
  public void wake() {
    ScheduledExecutorService t;
    synchronized (this) {
      t = thread;
    }
    if (t != null && !t.isShutdown()) {
      t.execute(this::safeRound);
    }
  }

  private void safeRound() {
    if (stopping) {
      return;
    }
    try {
      Round r = runOnce();
      if (r.sent() + r.deferred() + r.failed() > 0) {
        log.debug("alert sender - round: {}", r);
      }
    } catch (StoreException | RuntimeException e) {
      log.warn("alert sender - round failed: {}", e.getMessage());
    }
  }

  /**
   * Stops the thread without interrupting it (it may be inside JDBC): no new round starts, a round
   * in progress finishes the mail it is sending and gives the rest back. Waits at most {@code wait};
   * a round still running then is left to finish or fail on its own (its claims expire by lease).
   *
   * @return whether the thread finished within {@code wait}
   */
  public boolean stop(Duration wait) throws InterruptedException {
    ScheduledExecutorService t;
    synchronized (this) {
      t = thread;
      thread = null;
    }
    stopping = true;
    if (t == null) {
      return true;
    }
    t.shutdown();
    return t.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
  }
}
