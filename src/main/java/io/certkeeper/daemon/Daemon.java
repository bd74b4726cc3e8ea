package io.certkeeper.daemon;

import io.certkeeper.alert.Alerting;
import io.certkeeper.config.Config;
import io.certkeeper.config.ConfigException;
import io.certkeeper.ca.CaException;
import io.certkeeper.ca.Issuer;
import io.certkeeper.ca.LocalCa;
import io.certkeeper.renew.CaPolicies;
import io.certkeeper.renew.Reconciler;
import io.certkeeper.renew.RenewalStep;
import io.certkeeper.renew.RenewalWatch;
import io.certkeeper.renew.Renewer;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.schedule.EndpointScheduler;
import io.certkeeper.schedule.Scheduling;
import io.certkeeper.schedule.Services;
import io.certkeeper.store.EndpointRepository;
import io.certkeeper.store.ListenerStateRepository;
import io.certkeeper.store.ProbeResultRepository;
import org.quartz.SchedulerException;
import io.certkeeper.store.DaemonRunRepository;
import io.certkeeper.schedule.RenewalCheckTimes;
import io.certkeeper.store.DatabaseClock;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import io.certkeeper.store.StoreWait;
import io.certkeeper.util.Version;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
  /** How often a node brings its CRL files up to the newest CRL in the store. */
  static final Duration CRL_COPY = Duration.ofSeconds(30);

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
  /** This daemon's name in a fleet, fixed for its run ({@code node:}, else the host name). */
  private final String node;
  private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();

  private volatile Config config;
  private volatile boolean ready;
  private volatile StoreWriteCheck storeCheck;
  private volatile boolean stopping;
  private Store store;
  private DaemonRunRepository runs;
  private long runId = -1;
  private Scheduling scheduling;
  private ScheduledExecutorService housekeeping;
  /** This node's copy of the local CA's CRL, kept up to the store's. */
  private io.certkeeper.ca.CrlCopy crlCopy;
  /** The last failure of {@link #copyCrl}, logged once; null after a success. */
  private String crlCopyError;
  private String crlRefreshError;
  /** This node's own timer for its managed certificates' renewal check. */
  private ScheduledExecutorService renewalChecks;
  private EndpointSync endpointSync;
  private EndpointScheduler endpointScheduler;
  private volatile Listeners listeners;
  /** The acme-http listeners, started before the first issues; null when none is configured. */
  private volatile Listeners challengeListeners;
  private Optional<Renewer> renewer = Optional.empty();
  private EndpointProbes probes;
  private Alerting alerting;
  private final RenewalStep.Observer renewalSteps;
  private SystemdNotifier systemd = SystemdNotifier.disabled();

  /**
   * @param config the configuration already loaded and validated
   * @param configSource how to re-read it on reload
   * @param dataDir the data directory in force
   */
  public Daemon(Config config, ConfigSource configSource, Path dataDir, Clock clock) {
    this(config, configSource, dataDir, clock, RenewalStep.Observer.NONE);
  }

  /** As {@link #Daemon(Config, ConfigSource, Path, Clock)}, with renewals observed by {@code renewalSteps}. */
  public Daemon(Config config, ConfigSource configSource, Path dataDir, Clock clock,
      RenewalStep.Observer renewalSteps) {
    this.renewalSteps = Objects.requireNonNull(renewalSteps, "renewalSteps");
    this.config = Objects.requireNonNull(config, "config");
    this.configSource = Objects.requireNonNull(configSource, "configSource");
    this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.node = config.nodeName();
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
    Assembly parts = new Assembly(log, () -> requests.contains(Request.STOP), PARTS_DEADLINE, LAST_PARTS_RESERVE);
    try {
      start(parts, pid);
    } catch (Assembly.StopDuringStart e) {
      log.info("stopping (asked to while starting)");
      stop(parts);
      log.info("stopped");
      return 0;
    } catch (Assembly.StartFailed e) {
      log.error(e.getMessage());
      log.debug("{} - start failure", e.part(), e.getCause());
      stop(parts);
      return EXIT_START_FAILED;
    } catch (RuntimeException e) { // between parts: a defect, but the parts that started still stop
      log.error("cannot start: {}", io.certkeeper.util.ErrorText.of(e));
      log.debug("start failure", e);
      stop(parts);
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
    stop(parts);
    log.info("stopped");
    return 0;
  }

  /**
   * The start order, stated once; {@link Assembly#stopAll} stops in reverse: the store, the run
   * record in it, the prober, the alert sender, the scheduler (with the endpoints' schedules and the
   * periodic jobs), the managed certificates (brought in line, then the scheduler fires), the CRL,
   * the managed certificates' pending hooks and missing issues, the listeners, the file rescans, and
   * housekeeping.
   */
  private void start(Assembly parts, long pid) throws Assembly.StopDuringStart, Assembly.StartFailed {
    parts.startKept("store", Duration.ofSeconds(2), () -> {
      store = StoreOpener.serve(config, dataDir, StoreWait.upTo(StoreWait.DEFAULT_BUDGET,
          () -> log.warn("store - held by another process (a command, or a daemon starting or stopping);"
              + " waiting up to {}", StoreWait.DEFAULT_BUDGET)));
      log.info("store ready: {} (schema version {})", store.description(), store.schemaVersion());
      if (store.engine() == Store.Engine.POSTGRESQL) {
        // a shared database: this node's clock decides with the others' when work is due
        String refused = DatabaseClock.refusal(DatabaseClock.skew(store, clock), store.description());
        if (refused != null) {
          store.close();
          throw new StoreException(refused);
        }
      }
      return b -> {
        store.close();
        return true;
      };
    });
    parts.startKept("run record", Duration.ofSeconds(1), () -> {
      runs = new DaemonRunRepository(store);
      runId = runs.started(node, hostName(), pid, Version.current(), config.file().map(Path::toString), clock.instant());
      return b -> {
        runs.stopped(runId, clock.instant());
        return true;
      };
    });
    ProbeResultRepository results = new ProbeResultRepository(store, node);
    RenewalWatch renewals = RenewalWatch.of(node, () -> {
      Config c = config;
      return java.util.stream.Stream.concat(c.certificates().stream(), c.elsewhere().certificates().stream()).toList();
    });
    parts.start("prober", Duration.ofSeconds(2), () -> {
      probes = new EndpointProbes(config.scheduler().probeConcurrency(), results, dataDir, clock,
          leaf -> renewals.find(store, leaf));
      return probes::close;
    });
    parts.start("alert sender", Duration.ofSeconds(2), () -> {
      alerting = Alerting.create(store, this::config, clock, renewals);
      alerting.start();
      return alerting::stop;
    });
    parts.start("scheduler", Duration.ofSeconds(4), () -> {
      scheduling = Scheduling.create(store, config.scheduler().threads());
      return this::stopScheduler;
    });
    parts.step("scheduler", () -> {
      endpointScheduler = new EndpointScheduler(scheduling.scheduler(), clock);
      endpointSync = new EndpointSync(node, new EndpointRepository(store), results, endpointScheduler, clock);
      endpointSync.onSchedules(probes::update);
      endpointSync.fromConfig(config.endpoints());
      endpointScheduler.schedulePeriodic(HOUSEKEEPING, config.scheduler().alertEvaluation());
    });
    parts.step("managed certificates", () -> {
      int adopted = new io.certkeeper.store.ManagedCertificateRepository(store, node).adoptUnowned();
      if (adopted > 0) {
        log.info("managed certificates - {} recorded before nodes had names are now this node's ({})", adopted, node);
      }
      int reconciled = Reconciler.create(store, dataDir, clock, node).reconcileAll(config.certificates());
      if (reconciled > 0) {
        log.warn("managed certificates - {} brought back in line with their current generation", reconciled);
      }
      renewer = renewer();
    });
    parts.step("scheduler", () -> {
      io.certkeeper.schedule.StoredSlotCoverage coverage = new io.certkeeper.schedule.StoredSlotCoverage(
          new io.certkeeper.store.ProbeSlotRepository(store), node, clock);
      scheduling.scheduler().getContext().put(Services.CONTEXT_KEY, new Services(
          (partition, from, to) -> endpointScheduler.slot(partition, from, to, probes), coverage,
          () -> housekeeping(results), Optional.of(alerting::evaluate), () -> stopping));
      log.info("prober ready: {} TLS, up to {} probes at once", probes.tlsProvider(),
          config.scheduler().probeConcurrency());
      endpointScheduler.catchUpRate(config.scheduler().catchUpRate());
      endpointScheduler.restartSlots(coverage.restart(), otherNodesLive());
      scheduling.start();
      log.info("scheduler started: Quartz JobStoreTX on the store, {} threads", config.scheduler().threads());
      int caughtUp = endpointSync.catchUp(probes, config.scheduler().catchUpRate());
      if (caughtUp > 0) {
        log.info("schedules - {} endpoints missed their schedule; probing each once, at most {} a second",
            caughtUp, config.scheduler().catchUpRate());
      }
    });
    parts.step("alerts", () -> {
      if (config.smtp().isEnabled()) {
        log.info("alerts ready: mail via {}:{} ({}), evaluated every {}", config.smtp().host().get(),
            config.smtp().port(), config.smtp().security().code(), config.scheduler().alertEvaluation());
      } else {
        log.info("alerts off: no smtp.host configured");
      }
      refreshCrl();
    });
    java.util.List<io.certkeeper.config.ListenerConfig> challengeConfigs = config.listeners().stream()
        .filter(l -> l.role().isPlainHttp()).toList();
    if (!challengeConfigs.isEmpty()) {
      // before the first issues: an ACME server validates http-01 through them
      parts.start("plain HTTP listeners", Duration.ofSeconds(2), () -> {
        PkiServices pki = PkiServices.start(config.ca(), dataDir, new IssuedCertificateRepository(store), clock,
            challengeConfigs);
        try {
          challengeListeners = Listeners.start(challengeConfigs, dataDir, new ListenerStateRepository(store, node), clock,
              l -> pki.handler(l, acme -> new io.certkeeper.serve.AcmeHttpHandler(acme.name(),
                  token -> new io.certkeeper.store.AcmeChallengeRepository(store).answer(token, clock.instant()),
                  acme.redirectToHttps())),
              Listeners.ManagedCheck.NONE);
        } catch (java.io.IOException | StoreException | RuntimeException e) {
          pki.close();
          throw e;
        }
        return b -> {
          challengeListeners.close();
          pki.close();
          return true;
        };
      });
    }
    if (renewer.isPresent()) {
      Renewer r = renewer.get();
      parts.step("managed certificates", () -> {
        int rerun = r.runPendingHooks();
        if (rerun > 0) {
          log.info("managed certificates - ran the unfinished hooks of {} certificates", rerun);
        }
      });
    }
    // before the first issues: a listener of a certificate not issued yet serves a stand-in, and an ACME
    // server validates tls-alpn-01 through the TLS listeners
    boolean alpn = config.certificates().stream()
        .anyMatch(c -> c.acme().filter(a -> a.challenge() == io.certkeeper.config.AcmeChallenge.TLS_ALPN_01).isPresent());
    parts.start("listeners", Duration.ofSeconds(2), () -> {
      ListenerStateRepository states = new ListenerStateRepository(store, node);
      io.certkeeper.store.AcmeChallengeRepository answers = new io.certkeeper.store.AcmeChallengeRepository(store);
      listeners = Listeners.start(config.listeners().stream()
              .filter(l -> !l.role().isPlainHttp()).toList(), dataDir, states, clock,
          l -> new AdminApi(l, store, clock, control()),
          renewer.<Listeners.ManagedCheck>map(r -> r::checkListeners).orElse(Listeners.ManagedCheck.NONE),
          alpn ? java.util.Optional.of(name -> answers.alpnAnswer(name, clock.instant())) : java.util.Optional.empty(),
          name -> config.certificate(name).flatMap(io.certkeeper.config.CertificateConfig::keyType)
              .orElse(config.ca().keyType()));
      states.retainOnly(config.listeners().stream().map(io.certkeeper.config.ListenerConfig::name).toList());
      return b -> {
        listeners.close();
        return true;
      };
    });
    if (renewer.isPresent()) {
      Renewer r = renewer.get();
      parts.step("managed certificates", () -> {
        int issued = r.issueMissing();
        log.info("managed certificates ready: {} configured, {} issued now, checked every {}",
            config.certificates().size(), issued, config.scheduler().renewalCheck());
      });
    }
    parts.start("files", Duration.ofSeconds(6), () -> {
      io.certkeeper.files.FileRescans rescans = io.certkeeper.files.FileRescans.start(
          new io.certkeeper.files.FileInventory(new io.certkeeper.store.WatchedFileRepository(store, node), clock),
          () -> config.files(), clock);
      if (!config.files().isEmpty()) {
        log.info("files ready: {} entries in files:, rescanned on their intervals", config.files().size());
      }
      return rescans::close;
    });
    parts.start("housekeeping", Duration.ofSeconds(1), () -> {
      housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "certkeeper-heartbeat");
        t.setDaemon(true);
        return t;
      });
      housekeeping.scheduleWithFixedDelay(this::heartbeat, HEARTBEAT.toSeconds(), HEARTBEAT.toSeconds(),
          TimeUnit.SECONDS);
      crlCopy = new io.certkeeper.ca.CrlCopy(dataDir.resolve("ca"), new IssuedCertificateRepository(store));
      housekeeping.scheduleWithFixedDelay(this::copyCrl, 0, CRL_COPY.toMillis(), TimeUnit.MILLISECONDS);
      storeCheck = new StoreWriteCheck(runs, runId, clock);
      housekeeping.scheduleWithFixedDelay(storeCheck, 0, StoreWriteCheck.EVERY.toMillis(), TimeUnit.MILLISECONDS);
      return b -> {
        housekeeping.shutdown();
        return housekeeping.awaitTermination(b.toMillis(), TimeUnit.MILLISECONDS);
      };
    });
    if (renewer.isPresent()) {
      Renewer r = renewer.get();
      parts.start("renewal check", Duration.ofSeconds(4), () -> {
        renewalChecks = Executors.newSingleThreadScheduledExecutor(t -> {
          Thread th = new Thread(t, "certkeeper-renewal-check");
          th.setDaemon(true);
          return th;
        });
        Duration every = config.scheduler().renewalCheck();
        java.time.Instant first = RenewalCheckTimes.next(node, every, clock.instant());
        renewalChecks.scheduleAtFixedRate(() -> renewalCheck(r), Duration.between(clock.instant(), first).toMillis(),
            every.toMillis(), TimeUnit.MILLISECONDS);
        log.info("renewal check - this node's managed certificates every {}, next at {}", every, first);
        return b -> {
          renewalChecks.shutdown();
          return renewalChecks.awaitTermination(b.toMillis(), TimeUnit.MILLISECONDS);
        };
      });
    }
    parts.started();
  }

  /** Whether another node runs on this store: its run not stopped, its heartbeat (every 5 s) fresh. */
  private boolean otherNodesLive() throws StoreException {
    java.time.Instant fresh = clock.instant().minus(StoreWriteCheck.EVERY.multipliedBy(3));
    return runs.latestPerNode().stream().anyMatch(r -> !r.node().equals(node) && r.stoppedAt().isEmpty()
        && r.heartbeatAt().isAfter(fresh));
  }

  /** One renewal check of this node's managed certificates; never throws, so the timer goes on. */
  private void renewalCheck(Renewer r) {
    if (stopping) {
      return;
    }
    try {
      r.check();
    } catch (Exception | LinkageError e) {
      if (stopping) {
        log.warn("renewal check - abandoned by the stop: {}", e.toString());
      } else {
        log.error("renewal check - run failed: {}", e.toString(), e);
      }
    }
  }

  /** First nothing new is accepted (jobs see {@link #stopping}, the scheduler stops firing); then the parts stop. */
  private void stop(Assembly parts) {
    parts.stopAll(() -> {
      stopping = true;
      if (scheduling != null) {
        try {
          scheduling.standby();
        } catch (SchedulerException e) {
          log.warn("scheduler - cannot stand by: {}", e.getMessage());
        }
      }
    });
  }

  /** What the admin API asks of this daemon. */
  private DaemonControl control() {
    return new DaemonControl() {
      @Override
      public Config config() {
        return config;
      }

      @Override
      public Optional<String> notReadyBecause() {
        return Daemon.this.notReadyBecause();
      }

      @Override
      public String metricsText() {
        return Daemon.this.metricsText();
      }

      @Override
      public void probeNow(String endpointId) {
        probes.dispatch(endpointId, Duration.ZERO);
      }

      @Override
      public Optional<Renewer.Outcome> renewNow(String name, boolean force) {
        return Daemon.this.renewNow(name, force);
      }
    };
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
    if (!next.nodeName().equals(node)) {
      log.warn("configuration - node changed to {}; this daemon stays node {} until it restarts", next.nodeName(), node);
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
    boolean local = config.certificates().stream().anyMatch(c -> c.acme().isEmpty());
    Optional<Issuer> issuer = local ? localIssuer() : Optional.empty();
    if (issuer.isEmpty() && config.certificates().stream().noneMatch(c -> c.acme().isPresent())) {
      return Optional.empty();
    }
    return Optional.of(Renewer.builder(store, issuer, this::config, dataDir, clock)
        .acme(io.certkeeper.acme.AcmeIssuer.of(config, dataDir, store, clock))
        .alerts(OutboxRenewalAlerts.to(alerting.outbox()))
        .listeners(Listeners.serving(() -> listeners))
        .steps(renewalSteps)
        .stopping(() -> stopping || requests.contains(Request.STOP))
        .build());
  }

  /** The local CA's issuer, or none (logged: certificates of the local CA cannot be issued or renewed). */
  private Optional<Issuer> localIssuer() throws ConfigException {
    Path caDir = dataDir.resolve("ca");
    if (!LocalCa.exists(caDir)) {
      log.error("managed certificates - those of the local CA cannot be issued or renewed: no CA in {} (run"
          + " 'certkeeper ca init')", caDir);
      return Optional.empty();
    }
    if (config.ca().passphrase().isEmpty()) {
      log.error("managed certificates - those of the local CA cannot be issued or renewed: ca.passphrase is not set");
      return Optional.empty();
    }
    LocalCa ca;
    char[] pass = null;
    try {
      pass = config.ca().passphrase().get().resolve();
      ca = LocalCa.load(caDir, pass);
    } catch (java.io.IOException | CaException e) {
      log.error("managed certificates - those of the local CA cannot be issued or renewed: the CA does not load: {}",
          e.getMessage());
      return Optional.empty();
    } finally {
      if (pass != null) {
        java.util.Arrays.fill(pass, '\0');
      }
    }
    return Optional.of(Issuer.forCa(ca, CaPolicies.of(config.ca()), new IssuedCertificateRepository(store), clock,
        io.certkeeper.ca.LeafUrls.of(config.ca())));
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
    return ready && store.isReachable() && scheduling.isRunning() && listeners.allOpen()
        && (challengeListeners == null || challengeListeners.allOpen()) && probes.writing();
  }

  /** Why the daemon is not ready ({@code /readyz}), or empty when {@link #isReadyNow} and the store takes writes. */
  Optional<String> notReadyBecause() {
    StoreWriteCheck check = storeCheck;
    if (check != null && check.problem().isPresent()) {
      return Optional.of("store not writable (see the daemon's log)");
    }
    return isReadyNow() ? Optional.empty()
        : Optional.of("starting, stopping, store unreachable, scheduler, probe writer or listener down");
  }

  private String metricsText() {
    java.io.StringWriter out = new java.io.StringWriter();
    try {
      io.certkeeper.metrics.Metrics.ofDaemon(store, node).writeTo(out);
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
    return Optional.of(renewer.get().renew(name, force));
  }

  private void housekeeping(ProbeResultRepository results) throws StoreException {
    java.time.Instant cutoff = clock.instant().minus(config.scheduler().retention());
    int pruned = results.prune(cutoff);
    if (pruned > 0) {
      log.info("housekeeping - pruned {} probe results older than {}", pruned, cutoff);
    }
    refreshCrl();
  }

  /**
   * Writes the store's newest CRL of the local CA into this node's CA directory when another node
   * (or a command) signed a newer one. Logs a failure once until it changes.
   */
  private void copyCrl() {
    refreshCrl(); // due at half the CRL's validity, which may be as short as an hour
    try {
      java.util.OptionalLong n = crlCopy.refresh();
      if (n.isPresent()) {
        log.info("local CA - CRL {} from the store written to this node's CA directory", n.getAsLong());
      }
      crlCopyError = null;
    } catch (CaException | StoreException | RuntimeException e) {
      if (!java.util.Objects.equals(crlCopyError, e.getMessage())) {
        log.warn("local CA - cannot bring the CRL up to the store's: {}", e.getMessage());
      }
      crlCopyError = e.getMessage();
    }
  }

  /**
   * Re-signs the local CA's CRL when half its validity has passed (client-auth listeners fail
   * closed); checked every {@link #CRL_COPY} and at housekeeping. Logs a failure once until it
   * changes.
   */
  private synchronized void refreshCrl() {
    Config c = config;
    io.certkeeper.ca.CrlRefresh refresh = new io.certkeeper.ca.CrlRefresh(dataDir.resolve("ca"),
        new IssuedCertificateRepository(store), c.ca().passphrase().map(p -> p::resolve), clock,
        c.ca().crlValidity());
    try {
      if (refresh.refreshIfDue() == io.certkeeper.ca.CrlRefresh.Outcome.PUBLISHED) {
        log.info("local CA - signed a new CRL (the previous one had passed half its validity)");
      }
      crlRefreshError = null;
    } catch (CaException | StoreException | RuntimeException e) {
      if (!java.util.Objects.equals(crlRefreshError, e.getMessage())) {
        log.warn("local CA - cannot refresh the CRL: {}", e.getMessage());
      }
      crlRefreshError = e.getMessage();
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

  /** The configuration in force. */
  public Config config() {
    return config;
  }

  static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
