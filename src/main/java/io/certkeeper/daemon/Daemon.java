package io.certkeeper.daemon;

import io.certkeeper.alert.Alerting;
import io.certkeeper.config.Config;
import io.certkeeper.config.ConfigException;
import io.certkeeper.ca.CaException;
import io.certkeeper.ca.Issuer;
import io.certkeeper.ca.LocalCa;
import io.certkeeper.renew.CaPolicies;
import io.certkeeper.renew.Reconciler;
import io.certkeeper.renew.Renewer;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.schedule.EndpointScheduler;
import io.certkeeper.schedule.ProbeDispatcher;
import io.certkeeper.schedule.Scheduling;
import io.certkeeper.schedule.Services;
import io.certkeeper.store.EndpointRepository;
import io.certkeeper.store.ListenerStateRepository;
import io.certkeeper.store.ProbeResultRepository;
import org.quartz.SchedulerException;
import io.certkeeper.store.DaemonRunRepository;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import io.certkeeper.store.StoreWait;
import io.certkeeper.util.Version;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-running process: starts its parts in a fixed order (store, scheduler, ...), logs one
 * line per part, and runs until asked to stop. {@link #requestReload()} (SIGHUP) re-reads the
 * configuration and keeps the old one in force when the new one is invalid.
 *
 * <p>{@link #requestStop()} (SIGTERM, SIGINT) stops within {@link #STOP_DEADLINE}: first nothing
 * new is accepted (jobs see {@link Services#stopping()}, the scheduler goes to standby), then the
 * parts stop in reverse order of start, each within a budget and with one log line: housekeeping,
 * listeners, scheduler (running jobs finish), alert sender (the mail being sent finishes), prober
 * (the result being written finishes), the run record ({@code stopped}), and last the store. No
 * thread is ever interrupted: an interrupt that reaches a thread inside JDBC breaks the store. A
 * part that outlives its budget is left behind (its threads are daemon threads) and said so.
 *
 * <p>Requests are queued and handled on the thread that called {@link #run()}, one at a time, so
 * that a reload never races a stop.
 */
public final class Daemon {
  /** A clean stop finishes within this time, abandoning jobs that do not finish. */
  public static final Duration STOP_DEADLINE = Duration.ofSeconds(10);
  /** The parts' share of {@link #STOP_DEADLINE}; the rest is for the JVM to exit. */
  static final Duration PARTS_DEADLINE = Duration.ofMillis(8_500);
  /** Kept for the run record and the store, whatever the parts before them took. */
  static final Duration LAST_PARTS_RESERVE = Duration.ofMillis(1_500);
  /** How often the daemon tells the store it is alive. */
  public static final Duration HEARTBEAT = Duration.ofSeconds(30);

  /** How often old probe results are pruned. */
  public static final Duration HOUSEKEEPING = Duration.ofHours(1);

  /** Exit code when a part fails to start. */
  public static final int EXIT_START_FAILED = 3;

  private static final Logger log = LoggerFactory.getLogger(Daemon.class);

  /** Re-reads the configuration file. */
  @FunctionalInterface
  public interface ConfigSource {
    Config load() throws ConfigException;
  }

  private enum Request {
    STOP, RELOAD
  }

  private final ConfigSource configSource;
  private final Path dataDir;
  private final Clock clock;
  private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
  private final Deque<Part> started = new ArrayDeque<>();

  private volatile Config config;
  private volatile boolean ready;
  private volatile StoreWriteCheck storeCheck;
  private volatile boolean stopping;
  private Store store;
  private DaemonRunRepository runs;
  private long runId = -1;
  private Scheduling scheduling;
  private ScheduledExecutorService housekeeping;
  private EndpointSync endpointSync;
  private volatile Listeners listeners;
  private Optional<Renewer> renewer = Optional.empty();
  private final io.certkeeper.metrics.Counters counters = new io.certkeeper.metrics.Counters();
  private ProbeDispatcher dispatcher;
  private Alerting alerting;
  private SystemdNotifier systemd = SystemdNotifier.disabled();

  /** A started part, stopped in reverse order. */
  private interface Part {
    String name();

    /** The most this part may take to stop. */
    Duration budget();

    /** Stops within {@code budget}, never interrupting; false when something was left running. */
    boolean stop(Duration budget) throws Exception;
  }

  /** A stop asked for while the parts were starting. */
  private static final class StopDuringStart extends Exception {
    private static final long serialVersionUID = 1L;

    StopDuringStart() {
      super("stop requested while starting", null, false, false);
    }
  }

  /**
   * @param config the configuration already loaded and validated
   * @param configSource how to re-read it on reload
   * @param dataDir the data directory in force
   */
  public Daemon(Config config, ConfigSource configSource, Path dataDir, Clock clock) {
    this.config = Objects.requireNonNull(config, "config");
    this.configSource = Objects.requireNonNull(configSource, "configSource");
    this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Asks the daemon to stop; safe from any thread, including signal handlers. */
  public void requestStop() {
    requests.add(Request.STOP);
  }

  /** Asks the daemon to reload its configuration; safe from any thread. */
  public void requestReload() {
    requests.add(Request.RELOAD);
  }

  /** Where to tell systemd about readiness, reloads and stopping ({@code Type=notify}); call before {@link #run()}. */
  public void notifySystemd(SystemdNotifier notifier) {
    this.systemd = Objects.requireNonNull(notifier, "notifier");
  }

  /** Whether every part has started and the daemon has not begun to stop. */
  public boolean isReady() {
    return ready;
  }

  /**
   * Starts the parts and serves requests until stopped.
   *
   * @return the process exit code: 0 after a clean stop, {@link #EXIT_START_FAILED} when a part
   *     could not start
   */
  public int run() {
    long pid = ProcessHandle.current().pid();
    log.info("certkeeper {} starting (pid {}, config {}, data dir {})", Version.current(), pid,
        config.file().map(Path::toString).orElse("none, defaults"), dataDir);
    String part = "store";
    try {
      store = StoreOpener.serve(config, dataDir, StoreWait.upTo(StoreWait.DEFAULT_BUDGET,
          () -> log.warn("store - held by another process (a command, or a daemon starting or stopping);"
              + " waiting up to {}", StoreWait.DEFAULT_BUDGET)));
      started.push(named("store", Duration.ofSeconds(2), b -> {
        store.close();
        return true;
      }));
      log.info("store ready: {} (schema version {})", store.description(), store.schemaVersion());

      runs = new DaemonRunRepository(store);
      runId = runs.started(hostName(), pid, Version.current(), config.file().map(Path::toString), clock.instant());
      started.push(named("run record", Duration.ofSeconds(1), b -> {
        runs.stopped(runId, clock.instant());
        return true;
      }));
      checkStop();

      part = "prober";
      ProbeResultRepository results = new ProbeResultRepository(store);
      io.certkeeper.renew.RenewalWatch renewals = io.certkeeper.renew.RenewalWatch.of(() -> config.certificates());
      EndpointProbes probes = new EndpointProbes(config.scheduler().probeConcurrency(), results, dataDir, clock,
          leaf -> renewals.find(store, leaf));
      started.push(named("prober", Duration.ofSeconds(2), probes::close));

      part = "alerts";
      alerting = Alerting.create(store, this::config, clock, renewals);
      alerting.start();
      started.push(named("alert sender", Duration.ofSeconds(2), alerting::stop));

      part = "scheduler";
      int threads = config.scheduler().threads();
      scheduling = Scheduling.create(store, threads);
      started.push(named("scheduler", Duration.ofSeconds(4), this::stopScheduler));
      EndpointScheduler endpointScheduler = new EndpointScheduler(scheduling.scheduler(), clock);
      endpointSync = new EndpointSync(new EndpointRepository(store), results, endpointScheduler, clock);
      endpointSync.onSchedules(probes::update);
      endpointSync.fromConfig(config.endpoints());
      endpointScheduler.schedulePeriodic(HOUSEKEEPING, config.scheduler().renewalCheck(),
          config.scheduler().alertEvaluation());
      dispatcher = probes;
      part = "managed certificates";
      int reconciled = Reconciler.create(store, dataDir, clock).reconcileAll(config.certificates());
      if (reconciled > 0) {
        log.warn("managed certificates - {} brought back in line with their current generation", reconciled);
      }
      Optional<Renewer> renewer = renewer();
      this.renewer = renewer;
      scheduling.scheduler().getContext().put(Services.CONTEXT_KEY, new Services(dispatcher,
          () -> housekeeping(results), renewer.map(r -> r::check), Optional.of(alerting::evaluate), () -> stopping));
      checkStop();
      log.info("prober ready: {} TLS, up to {} probes at once", probes.tlsProvider(),
          config.scheduler().probeConcurrency());
      scheduling.start();
      log.info("scheduler started: Quartz JobStoreTX on the store, {} threads", threads);
      int caughtUp = endpointSync.catchUp(dispatcher);
      if (caughtUp > 0) {
        log.info("schedules - {} endpoints missed their schedule; probing each once within a minute", caughtUp);
      }

      part = "alerts";
      if (config.smtp().isEnabled()) {
        log.info("alerts ready: mail via {}:{} ({}), evaluated every {}", config.smtp().host().get(),
            config.smtp().port(), config.smtp().security().code(), config.scheduler().alertEvaluation());
      } else {
        log.info("alerts off: no smtp.host configured");
      }

      refreshCrl();

      part = "managed certificates";
      if (renewer.isPresent()) {
        int rerun = renewer.get().runPendingHooks();
        if (rerun > 0) {
          log.info("managed certificates - ran the unfinished hooks of {} certificates", rerun);
        }
        checkStop();
        int issued = renewer.get().issueMissing();
        log.info("managed certificates ready: {} configured, {} issued now, checked every {}",
            config.certificates().size(), issued, config.scheduler().renewalCheck());
      }

      part = "listeners";
      listeners = Listeners.start(config.listeners(), dataDir, new ListenerStateRepository(store), clock,
          l -> new AdminApi(l, store, clock, this::notReadyBecause, dispatcher, this::metricsText, this::renewNow),
          renewer.<Listeners.ManagedCheck>map(r -> r::checkListeners).orElse(Listeners.ManagedCheck.NONE));
      started.push(named("listeners", Duration.ofSeconds(2), b -> {
        listeners.close();
        return true;
      }));
      checkStop();

      part = "housekeeping";
      housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "certkeeper-heartbeat");
        t.setDaemon(true);
        return t;
      });
      housekeeping.scheduleWithFixedDelay(this::heartbeat, HEARTBEAT.toSeconds(), HEARTBEAT.toSeconds(), TimeUnit.SECONDS);
      storeCheck = new StoreWriteCheck(runs, runId, clock);
      housekeeping.scheduleWithFixedDelay(storeCheck, 0, StoreWriteCheck.EVERY.toMillis(), TimeUnit.MILLISECONDS);
      started.push(named("housekeeping", Duration.ofSeconds(1), b -> {
        housekeeping.shutdown();
        return housekeeping.awaitTermination(b.toMillis(), TimeUnit.MILLISECONDS);
      }));
      checkStop();
    } catch (StopDuringStart e) {
      log.info("stopping (asked to while starting)");
      stopParts();
      log.info("stopped");
      return 0;
    } catch (Exception e) {
      log.error("{} - cannot start: {}", part, e.getMessage());
      log.debug("{} - start failure", part, e);
      stopParts();
      return EXIT_START_FAILED;
    }
    ready = true;
    log.info("ready");
    systemd.ready("ready");
    systemd.startWatchdog(this::isReady);
    serveRequests();
    ready = false;
    log.info("stopping");
    systemd.stopping();
    stopParts();
    log.info("stopped");
    return 0;
  }

  private void serveRequests() {
    while (true) {
      Request r;
      try {
        r = requests.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (r == Request.STOP) {
        return;
      }
      systemd.reloading();
      reload();
      systemd.ready("ready");
    }
  }

  private void reload() {
    Config next;
    try {
      next = configSource.load();
    } catch (ConfigException e) {
      log.error("reload rejected, keeping the previous configuration: {}", e.getMessage());
      recordReload(Optional.of(e.getMessage()));
      return;
    } catch (RuntimeException e) {
      log.error("reload rejected, keeping the previous configuration: {}", io.certkeeper.util.ErrorText.of(e));
      log.debug("reload failure", e);
      recordReload(Optional.of(io.certkeeper.util.ErrorText.of(e)));
      return;
    }
    Config previous = config;
    if (!previous.store().equals(next.store()) || !previous.dataDir().equals(next.dataDir())) {
      log.warn("configuration - store or data-dir changed; restart the daemon to apply that part");
    }
    try {
      endpointSync.fromConfig(next.endpoints());
    } catch (StoreException | SchedulerException | RuntimeException e) {
      log.error("reload - endpoints not synced, keeping the previous configuration: {}", e.getMessage());
      recordReload(Optional.of("endpoints not synced: " + e.getMessage()));
      return;
    }
    if (!previous.listeners().equals(next.listeners())) {
      log.warn("configuration - listeners changed; restart the daemon to apply that part (certificates are reloaded now)");
    }
    listeners.reloadAll();
    Logging.setLevel(next.log().level());
    config = next;
    recordReload(Optional.empty());
    log.info("configuration reloaded from {}", next.file().map(Path::toString).orElse("defaults"));
  }

  /**
   * The renewer, when certificates are configured and the CA can sign; otherwise logs why managed
   * certificates cannot be renewed.
   */
  private Optional<Renewer> renewer() throws ConfigException {
    if (config.certificates().isEmpty()) {
      return Optional.empty();
    }
    Path caDir = dataDir.resolve("ca");
    if (!LocalCa.exists(caDir)) {
      log.error("managed certificates - cannot be issued or renewed: no CA in {} (run 'certkeeper ca init')", caDir);
      return Optional.empty();
    }
    if (config.ca().passphrase().isEmpty()) {
      log.error("managed certificates - cannot be issued or renewed: ca.passphrase is not set");
      return Optional.empty();
    }
    LocalCa ca;
    char[] pass = null;
    try {
      pass = config.ca().passphrase().get().resolve();
      ca = LocalCa.load(caDir, pass);
    } catch (java.io.IOException | CaException e) {
      log.error("managed certificates - cannot be issued or renewed: the CA does not load: {}", e.getMessage());
      return Optional.empty();
    } finally {
      if (pass != null) {
        java.util.Arrays.fill(pass, '\0');
      }
    }
    Issuer issuer = Issuer.forCa(ca, CaPolicies.of(config.ca()), new IssuedCertificateRepository(store), clock,
        config.ca().crlUrl());
    return Optional.of(Renewer.create(store, issuer, this::config, dataDir, clock, Optional.of(OutboxRenewalAlerts.to(alerting.outbox())),
        Listeners.serving(() -> listeners), Optional.ofNullable(System.getenv(Renewer.CRASH_AT_ENV)),
        () -> stopping || requests.contains(Request.STOP)));
  }

  private void recordReload(Optional<String> error) {
    try {
      runs.reloaded(runId, clock.instant(), error);
    } catch (StoreException e) {
      log.warn("store - cannot record the reload: {}", e.getMessage());
    }
  }

  private void heartbeat() {
    try {
      runs.heartbeat(runId, clock.instant());
      // endpoints added or removed with the CLI while the daemon runs
      endpointSync.schedules(false);
    } catch (StoreException | SchedulerException | RuntimeException e) {
      log.warn("store - heartbeat failed: {}", e.getMessage());
    }
  }

  /** Whether the store answers, the scheduler runs and every listener is open. */
  boolean isReadyNow() {
    return ready && store.isReachable() && scheduling.isRunning() && listeners.allOpen();
  }

  /** Why the daemon is not ready ({@code /readyz}), or empty when {@link #isReadyNow} and the store takes writes. */
  Optional<String> notReadyBecause() {
    StoreWriteCheck check = storeCheck;
    if (check != null && check.problem().isPresent()) {
      return Optional.of("store not writable (see the daemon's log)");
    }
    return isReadyNow() ? Optional.empty() : Optional.of("starting, stopping, store unreachable, scheduler or listener down");
  }

  private String metricsText() {
    java.io.StringWriter out = new java.io.StringWriter();
    try {
      io.certkeeper.metrics.Metrics.ofDaemon(store, counters).writeTo(out);
    } catch (StoreException | java.io.IOException e) {
      throw new IllegalStateException("metrics: " + e.getMessage(), e);
    }
    return out.toString();
  }

  /** The admin API's renewal: as {@code renew NAME [--force]} (the storm guard applies alike). */
  private Optional<Renewer.Outcome> renewNow(String name, boolean force) {
    if (config.certificates().stream().noneMatch(c -> c.name().equals(name))) {
      return Optional.empty();
    }
    if (renewer.isEmpty()) {
      throw new IllegalStateException("managed certificates cannot be renewed: no CA or passphrase (see the log)");
    }
    Renewer.Outcome o = renewer.get().renew(name, force);
    counters.renewal(o.kind().code());
    return Optional.of(o);
  }

  private void housekeeping(ProbeResultRepository results) throws StoreException {
    java.time.Instant cutoff = clock.instant().minus(config.scheduler().retention());
    int pruned = results.prune(cutoff);
    if (pruned > 0) {
      log.info("housekeeping - pruned {} probe results older than {}", pruned, cutoff);
    }
    refreshCrl();
  }

  /** Re-signs the local CA's CRL when half its validity has passed (client-auth listeners fail closed). */
  private void refreshCrl() {
    Config c = config;
    io.certkeeper.ca.CrlRefresh refresh = new io.certkeeper.ca.CrlRefresh(dataDir.resolve("ca"),
        new IssuedCertificateRepository(store), c.ca().passphrase().map(p -> p::resolve), clock,
        c.ca().crlValidity());
    try {
      if (refresh.refreshIfDue() == io.certkeeper.ca.CrlRefresh.Outcome.PUBLISHED) {
        log.info("local CA - signed a new CRL (the previous one had passed half its validity)");
      }
    } catch (CaException | StoreException e) {
      log.warn("local CA - cannot refresh the CRL: {}", e.getMessage());
    }
  }



  /** Throws when a stop was asked for while starting, so that start gives way to it at once. */
  private void checkStop() throws StopDuringStart {
    if (requests.contains(Request.STOP)) {
      throw new StopDuringStart();
    }
  }

  /** Standby, then Quartz's own shutdown that waits for running jobs; bounded by {@code budget}. */
  private boolean stopScheduler(Duration budget) throws Exception {
    Thread t = new Thread(() -> {
      try {
        scheduling.close();
      } catch (SchedulerException e) {
        log.warn("scheduler - error while stopping: {}", e.getMessage());
      }
    }, "certkeeper-stop-quartz");
    t.setDaemon(true);
    t.start();
    t.join(Math.max(1, budget.toMillis()));
    if (t.isAlive()) {
      log.warn("scheduler - {} jobs still running after {} ms; left to finish on their own (they run again at next start)",
          scheduling.running(), budget.toMillis());
      return false;
    }
    return true;
  }

  /**
   * Stops every started part in reverse order. First nothing new is accepted: jobs see {@link
   * #stopping} and the scheduler stops firing. Each part then gets its own budget, cut so that the
   * whole stop meets {@link #PARTS_DEADLINE} with {@link #LAST_PARTS_RESERVE} left for the run
   * record and the store. A part runs on a thread of its own that is joined, never interrupted.
   */
  private void stopParts() {
    stopping = true;
    long deadline = System.nanoTime() + PARTS_DEADLINE.toNanos();
    if (scheduling != null) {
      try {
        scheduling.standby();
      } catch (SchedulerException e) {
        log.warn("scheduler - cannot stand by: {}", e.getMessage());
      }
    }
    while (!started.isEmpty()) {
      Part p = started.pop();
      boolean last = p.name().equals("run record") || p.name().equals("store");
      long left = deadline - System.nanoTime() - (last ? 0 : LAST_PARTS_RESERVE.toNanos());
      Duration budget = Duration.ofNanos(Math.max(Duration.ofMillis(100).toNanos(), Math.min(p.budget().toNanos(), left)));
      boolean[] clean = {false};
      Thread t = new Thread(() -> {
        try {
          clean[0] = p.stop(budget);
        } catch (Exception e) {
          log.warn("{} - error while stopping: {}", p.name(), e.getMessage());
        }
      }, "certkeeper-stop-" + p.name().replace(' ', '-'));
      t.setDaemon(true);
      long t0 = System.nanoTime();
      t.start();
      try {
        // the part bounds itself; the margin covers its bookkeeping
        t.join(budget.toMillis() + 250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      if (t.isAlive()) {
        log.warn("{} - did not stop within {} ms; left behind", p.name(), budget.toMillis());
      } else if (clean[0]) {
        log.info("{} - stopped ({} ms)", p.name(), ms);
      } else {
        log.info("{} - stopped, work in progress left to finish on its own ({} ms)", p.name(), ms);
      }
    }
  }

  /** The configuration in force. */
  public Config config() {
    return config;
  }

  private static Part named(String name, Duration budget, Stop stop) {
    return new Part() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Duration budget() {
        return budget;
      }

      @Override
      public boolean stop(Duration b) throws Exception {
        return stop.stop(b);
      }
    };
  }

  @FunctionalInterface
  private interface Stop {
    boolean stop(Duration budget) throws Exception;
  }

  static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
