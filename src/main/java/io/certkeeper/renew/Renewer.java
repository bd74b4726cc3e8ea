package io.certkeeper.renew;

import io.certkeeper.ca.CaException;
import io.certkeeper.ca.IssueRequest;
import io.certkeeper.ca.IssuedCertificate;
import io.certkeeper.acme.AcmeFailure;
import io.certkeeper.acme.AcmeIssuer;
import io.certkeeper.ca.Issuer;
import io.certkeeper.ca.San;
import io.certkeeper.config.CertificateConfig;
import io.certkeeper.config.Config;
import io.certkeeper.config.KeyOnRenewal;
import io.certkeeper.config.ListenerConfig;
import io.certkeeper.store.ManagedCertificateRepository;
import io.certkeeper.store.ManagedState;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import io.certkeeper.util.AtomicFiles;
import io.certkeeper.util.ErrorText;
import io.certkeeper.util.HumanTime;
import io.certkeeper.x509.KeyPairs;
import io.certkeeper.x509.KeyType;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews managed certificates. One renewal, in this order:
 *
 * <ol>
 *   <li>issue through the {@link Issuer} (which records the certificate in the store);
 *   <li>write the new generation folder, complete and fsynced, under its serial;
 *   <li>switch {@code current} to it by one atomic rename: <b>the commit point</b>;
 *   <li>record the generation in the store;
 *   <li>write the configured outputs, each atomically, certificates before keys;
 *   <li>run the hooks (only now that something changed), then reload the daemon's listeners and
 *       check what they serve, each within its grace (the closed loop, {@link ListenerCheck}).
 * </ol>
 *
 * <p>A crash before the commit point leaves the old generation in force everywhere (the new
 * certificate is in the store as issued, but never deployed). A crash after it leaves the store or
 * the outputs behind the link; {@link Reconciler} brings them forward at the next start. Outputs
 * are written only after the commit, so they never show a generation that is later rolled back.
 *
 * <p>Failures before the commit are recorded per certificate ({@code consecutive_failures},
 * {@code last_error}, {@code next_attempt_at} with {@link RenewalBackoff}) and raise a {@code
 * renewal_failed} alert in the same transaction. A failing hook does not undo the renewal.
 */
public final class Renewer {
  private static final Logger log = LoggerFactory.getLogger(Renewer.class);
  private static final Map<String, ReentrantLock> LOCKS = new ConcurrentHashMap<>();
  /**
   * The "time left" a first ACME issue backs off by: none is in force, but a failing order is not
   * retried sooner than a renewal with a month to go would be (5 minutes doubling to 6 hours).
   */
  static final Duration FIRST_ISSUE_URGENCY = Duration.ofDays(30);

  /**
   * What a renewal came to: {@code renewed}; {@code refused} by the storm guard's minimum interval
   * (nothing recorded, try later or force it); {@code failed} (recorded, retried with backoff,
   * alerted).
   */
  public enum Kind {
    RENEWED, REFUSED, FAILED;

    /** The lowercase name used in JSON. */
    @com.fasterxml.jackson.annotation.JsonValue
    public String code() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * @param serial the serial in force afterwards
   * @param message why it was refused or failed; empty when renewed
   * @param hookErrors one line per failed hook
   */
  public record Outcome(String name, Kind kind, Optional<String> serial, Optional<String> sha256,
      Optional<Instant> notAfter, String message, List<String> hookErrors) {}

  private final Store store;
  private final ManagedCertificateRepository records;
  private final Optional<Issuer> issuer;
  private final Optional<AcmeIssuer> acme;
  private final Supplier<Config> config;
  private final Path dataDir;
  private final Clock clock;
  private final Optional<RenewalAlerts> alerts;
  private final ServingListeners listeners;
  private final ListenerCheck listenerCheck;
  /** The node whose managed certificates this renews (the configuration's at construction). */
  private final String node;
  private final RenewalStep.Observer steps;
  /** How a failed renewal is logged: ERROR, or INFO when the caller reports the outcome itself. */
  private final org.slf4j.event.Level failureLevel;
  private final java.util.function.BooleanSupplier stopping;
  /** This node's ACME certificates: first-issue retries, renewal information. */
  private final io.certkeeper.store.AcmeStateRepository acmeStates;
  /** Renewal times from the ACME servers' renewal information (ARI); empty without ACME. */
  private final Optional<AriSchedule> ari;

  private Renewer(Builder b) {
    this.store = b.store;
    this.records = new ManagedCertificateRepository(store, b.config.get().nodeName());
    this.node = records.node();
    this.issuer = b.issuer;
    this.acme = b.acme;
    this.config = b.config;
    this.dataDir = b.dataDir;
    this.clock = b.clock;
    this.alerts = b.alerts;
    this.listeners = b.listeners;
    this.listenerCheck = new ListenerCheck(store, node, alerts, clock, d -> Thread.sleep(d.toMillis()));
    this.steps = b.steps;
    this.failureLevel = b.callerReports ? org.slf4j.event.Level.INFO : org.slf4j.event.Level.ERROR;
    this.stopping = b.stopping;
    this.acmeStates = new io.certkeeper.store.AcmeStateRepository(store, node);
    this.ari = acme.map(a -> new AriSchedule(a, acmeStates, new java.security.SecureRandom()));
  }

  /**
   * A renewer signing with {@code issuer}, with no alerts, no listeners of its own, never stopping
   * and observed by no one until the builder says otherwise.
   *
   * @param config the configuration in force, read at each run (reloads apply)
   */
  public static Builder builder(Store store, Issuer issuer, Supplier<Config> config, Path dataDir, Clock clock) {
    return new Builder(store, Optional.of(Objects.requireNonNull(issuer, "issuer")), config, dataDir, clock);
  }

  /**
   * As {@link #builder(Store, Issuer, Supplier, Path, Clock)}, without a local CA when {@code issuer}
   * is empty: only certificates from ACME ({@link Builder#acme}) can then be issued.
   */
  public static Builder builder(Store store, Optional<Issuer> issuer, Supplier<Config> config, Path dataDir,
      Clock clock) {
    return new Builder(store, issuer, config, dataDir, clock);
  }

  /** What a renewer works with beyond the store, the CA, the configuration, the data and the time. */
  public static final class Builder {
    private final Store store;
    private final Optional<Issuer> issuer;
    private Optional<AcmeIssuer> acme = Optional.empty();
    private final Supplier<Config> config;
    private final Path dataDir;
    private final Clock clock;
    private Optional<RenewalAlerts> alerts = Optional.empty();
    private ServingListeners listeners = ServingListeners.NONE;
    private RenewalStep.Observer steps = RenewalStep.Observer.NONE;
    private java.util.function.BooleanSupplier stopping = () -> false;
    private boolean callerReports;

    private Builder(Store store, Optional<Issuer> issuer, Supplier<Config> config, Path dataDir, Clock clock) {
      this.store = Objects.requireNonNull(store, "store");
      this.issuer = Objects.requireNonNull(issuer, "issuer");
      this.config = Objects.requireNonNull(config, "config");
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
      this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Issues the certificates whose {@code issuer:} is {@code acme:ACCOUNT} (default: none can be). */
    public Builder acme(AcmeIssuer acme) {
      this.acme = Optional.of(acme);
      return this;
    }

    /** Where renewal, hook and listener alerts go (default: nowhere). */
    public Builder alerts(RenewalAlerts alerts) {
      this.alerts = Optional.of(alerts);
      return this;
    }

    /**
     * The listeners running in this process, reloaded and checked after a swap: the daemon's
     * (default {@link ServingListeners#NONE}, as in the CLI: the daemon checks its own).
     */
    public Builder listeners(ServingListeners listeners) {
      this.listeners = Objects.requireNonNull(listeners, "listeners");
      return this;
    }

    /** Told of each {@link RenewalStep} a renewal passes (crash tests halt there). */
    public Builder steps(RenewalStep.Observer steps) {
      this.steps = Objects.requireNonNull(steps, "steps");
      return this;
    }

    /**
     * For the daemon: once {@code stopping} turns true, a running deploy hook is ended (its
     * generation stays in force, its outputs written) and the hooks still pending run at the next
     * start ({@link Renewer#runPendingHooks}).
     */
    public Builder stopping(java.util.function.BooleanSupplier stopping) {
      this.stopping = Objects.requireNonNull(stopping, "stopping");
      return this;
    }

    /**
     * The caller shows each renewal's {@link Outcome} itself (the CLI's {@code renew}): a failure is
     * then logged at INFO instead of ERROR, so that it is said once.
     */
    public Builder outcomesShownByCaller() {
      this.callerReports = true;
      return this;
    }

    public Renewer build() {
      return new Renewer(this);
    }
  }

  /**
   * Runs the deploy hooks of every generation in force whose hooks did not run to the end: the
   * renewal was killed, or the daemon stopped, between putting it in force and the end of its
   * hooks. Called once at daemon start; returns how many certificates' hooks ran.
   */
  public int runPendingHooks() {
    Map<String, String> pending;
    try {
      pending = records.hooksPending();
    } catch (StoreException e) {
      log.warn("managed certificates - cannot read which hooks are pending: {}", e.getMessage());
      return 0;
    }
    int ran = 0;
    for (Map.Entry<String, String> p : pending.entrySet()) {
      String name = p.getKey();
      Optional<CertificateConfig> c = config.get().certificate(name);
      if (c.isEmpty() || stopping.getAsBoolean()) {
        continue;
      }
      try {
        if (locked(name, () -> runPendingHooksLocked(c.get(), p.getValue()))) {
          ran++;
        }
      } catch (IOException | StoreException e) {
        log.warn("{} - cannot run its pending hooks: {}", name, e.getMessage());
      }
    }
    return ran;
  }

  /** Runs the hooks of {@code serial} if it is still in force; whether they ran to the end. */
  private boolean runPendingHooksLocked(CertificateConfig c, String serial) throws IOException, StoreException {
    String name = c.name();
    Generations gens = new Generations(dataDir, name);
    Optional<Generation> g = gens.current();
    if (g.isEmpty() || !g.get().serial().equals(serial)) {
      return false; // renewed meanwhile: that renewal ran its own hooks
    }
    log.info("{} - running the hooks of generation {} again: they did not finish (killed or stopped)", name, serial);
    if (runHooks(c, g.get(), gens.dir(serial)).stopped()) {
      return false;
    }
    records.hooksDone(name, serial);
    return true;
  }

  /** Work on one managed certificate's files and records, alone: in this JVM and against other processes. */
  @FunctionalInterface
  private interface LockedWork<T> {
    T run() throws IOException, StoreException;
  }

  private <T> T locked(String name, LockedWork<T> work) throws IOException, StoreException {
    ReentrantLock jvmLock = LOCKS.computeIfAbsent(dataDir.toAbsolutePath() + "/" + name, k -> new ReentrantLock());
    jvmLock.lock();
    try (FileChannel ch = lockFile(name)) {
      ch.lock(); // released when the channel closes
      return work.run();
    } finally {
      jvmLock.unlock();
    }
  }

  /**
   * The renewal-check job: renews every certificate that is due and not backing off, and brings
   * outputs that fell behind back in line. Never throws for one certificate's trouble.
   */
  public void check() {
    Instant now = clock.instant();
    Config cfg = config.get();
    for (CertificateConfig c : cfg.certificates()) {
      try {
        Optional<ManagedState> state = records.find(c.name());
        boolean due = state.isEmpty() ? firstIssueDue(c, now) : isDue(c, state, now, serverRenewAt(cfg, c, state.get(), now));
        if (due) {
          renew(c.name(), false);
        } else if (state.isPresent()) {
          repairOutputs(c, state.get(), now);
        }
      } catch (Exception e) {
        log.error("{} - renewal check failed: {}", c.name(), ErrorText.of(e));
        log.debug("{} - renewal check failure", c.name(), e);
      }
    }
  }

  /** Issues every configured certificate that has no generation yet; returns how many it issued. */
  public int issueMissing() {
    int issued = 0;
    for (CertificateConfig c : config.get().certificates()) {
      try {
        if (new Generations(dataDir, c.name()).currentSerial().isEmpty()) {
          if (!firstIssueDue(c, clock.instant())) {
            Optional<io.certkeeper.store.AcmeState> a = acmeStates.find(c.name());
            log.warn("{} - first certificate not ordered yet: waiting until {} after failures ({})", c.name(),
                a.flatMap(io.certkeeper.store.AcmeState::noOrderBefore).orElse(null),
                a.flatMap(io.certkeeper.store.AcmeState::firstError).orElse(""));
            continue;
          }
          Outcome o = renew(c.name(), true);
          if (o.kind() == Kind.RENEWED) {
            issued++;
          } else {
            log.error("{} - first certificate not issued: {}", c.name(), o.message());
          }
        }
      } catch (IOException | StoreException | RuntimeException e) {
        log.error("{} - first certificate not issued: {}", c.name(), ErrorText.of(e));
        log.debug("{} - first issue failure", c.name(), e);
      }
    }
    return issued;
  }

  /**
   * Whether {@code c} renews now: not while it backs off after a failure; at {@code serverRenewAt}
   * when its ACME server gave renewal information, else at its policy's renewal time.
   */
  static boolean isDue(CertificateConfig c, Optional<ManagedState> state, Instant now,
      Optional<Instant> serverRenewAt) {
    if (state.isEmpty()) {
      return true;
    }
    ManagedState s = state.get();
    if (s.nextAttemptAt().isPresent() && now.isBefore(s.nextAttemptAt().get())) {
      return false;
    }
    // a server's time past the certificate's expiry is no renewal time: the policy decides then
    return !now.isBefore(serverRenewAt.filter(t -> t.isBefore(s.notAfter()))
        .orElseGet(() -> policyOf(c).renewalTime(c.name(), s.notBefore(), s.notAfter())));
  }

  /** Whether a certificate with no generation yet is tried now: an ACME one not before its backoff ends. */
  private boolean firstIssueDue(CertificateConfig c, Instant now) throws StoreException {
    if (c.acme().isEmpty()) {
      return true;
    }
    Optional<Instant> notBefore = acmeStates.find(c.name()).flatMap(io.certkeeper.store.AcmeState::noOrderBefore);
    return notBefore.isEmpty() || !now.isBefore(notBefore.get());
  }

  /** When {@code c}'s ACME server says to renew it (ARI), asking it when due; empty for others. */
  private Optional<Instant> serverRenewAt(Config cfg, CertificateConfig c, ManagedState s, Instant now)
      throws StoreException, IOException {
    if (ari.isEmpty() || c.acme().isEmpty()) {
      return Optional.empty();
    }
    Optional<io.certkeeper.config.AcmeConfig.Account> account = cfg.acme().account(c.acme().get().account());
    Optional<Generation> g = new Generations(dataDir, c.name()).current();
    if (account.isEmpty() || g.isEmpty() || !g.get().serial().equals(s.serial())) {
      return Optional.empty();
    }
    return ari.get().renewAt(account.get(), s, g.get().certificate(), now);
  }

  /**
   * A certificate for {@code c} from its ACME account, recorded in the inventory (as observed: the
   * local CA did not sign it).
   */
  private List<X509Certificate> issueAcme(Config cfg, CertificateConfig c, KeyPair key,
      Optional<X509Certificate> replaces) throws AcmeFailure, StoreException, InterruptedException {
    CertificateConfig.Acme a = c.acme().get();
    if (acme.isEmpty()) {
      throw new AcmeFailure("ACME is not set up in this process");
    }
    io.certkeeper.config.AcmeConfig.Account account = cfg.acme().account(a.account())
        .orElseThrow(() -> new AcmeFailure("no ACME account '" + a.account() + "' under acme.accounts"));
    java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
    names.add(c.commonName());
    for (String san : c.sans()) {
      names.add(san.substring(san.indexOf(':') + 1));
    }
    AcmeIssuer.Validation validation = new AcmeIssuer.Validation(a.challenge(),
        a.challenge() == io.certkeeper.config.AcmeChallenge.DNS_01 ? new DnsHooks(c, stopping) : io.certkeeper.acme.DnsRecords.NONE,
        a.webroot());
    List<X509Certificate> chain = acme.get().issue(account, validation, List.copyOf(names), key, replaces);
    if (chain.isEmpty()) {
      throw new AcmeFailure("the server sent no certificate");
    }
    io.certkeeper.store.CertificateRepository inventory = new io.certkeeper.store.CertificateRepository(store);
    Instant now = clock.instant();
    for (X509Certificate x : chain) {
      inventory.upsert(x, io.certkeeper.store.CertificateRecord.Source.OBSERVED, now);
    }
    return chain;
  }

  static RenewalPolicy policyOf(CertificateConfig c) {
    return new RenewalPolicy(c.renewAt(), c.renewBefore());
  }

  /**
   * Renews {@code name} now.
   *
   * @param force skip the minimum interval between renewals (never the rule that the new
   *     certificate must outlive the current one)
   * @throws IllegalArgumentException when no certificate of that name is configured
   */
  public Outcome renew(String name, boolean force) {
    Config cfg = config.get();
    CertificateConfig c = cfg.certificate(name)
        .orElseThrow(() -> new IllegalArgumentException("no managed certificate named '" + name + "' in certificates:"));
    try {
      return locked(name, () -> renewLocked(cfg, c, force));
    } catch (IOException | StoreException e) {
      return new Outcome(name, Kind.FAILED, Optional.empty(), Optional.empty(), Optional.empty(),
          "cannot lock " + ManagedLayout.root(dataDir, name) + ": " + e.getMessage(), List.of());
    }
  }

  private FileChannel lockFile(String name) throws IOException {
    Path root = ManagedLayout.root(dataDir, name);
    // managed/ and managed/NAME are owner-only like everything under the data dir
    Files.createDirectories(root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    return FileChannel.open(root.resolve(".lock"), java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
        PosixFilePermissions.asFileAttribute(AtomicFiles.PRIVATE));
  }

  private Outcome renewLocked(Config cfg, CertificateConfig c, boolean force) {
    String name = c.name();
    Instant now = clock.instant();
    Generations gens = new Generations(dataDir, name);
    Optional<ManagedState> state;
    Optional<Generation> current;
    try {
      state = records.find(name);
      current = gens.current();
    } catch (StoreException | IOException e) {
      return failed(c, Optional.empty(), "cannot read the current generation: " + e.getMessage(), now);
    }
    KeyType keyType = c.keyType().orElse(cfg.ca().keyType());
    Duration validity = c.validity().orElse(cfg.ca().validity());
    // an ACME server decides the lifetime: expect the current one's again
    Instant newNotAfter = now.truncatedTo(ChronoUnit.SECONDS).plus(c.acme().isPresent() && state.isPresent()
        ? state.get().lifetime() : validity);
    if (state.isPresent() && current.isPresent()) {
      ManagedState s = state.get();
      Optional<String> refusal = StormGuard.refusal(s.notAfter(), newNotAfter, s.lastRenewedAt(), s.lifetime(), now,
          force);
      if (refusal.isPresent()) {
        if (!StormGuard.tooSoon(s.lastRenewedAt(), s.lifetime(), now, force)) {
          return failed(c, state, "refused: " + refusal.get(), now);
        }
        // the caller's answer, not a fault: the CLI prints it as its one line, the admin API answers 409
        log.info("{} - renewal refused: {}", name, refusal.get());
        return new Outcome(name, Kind.REFUSED, Optional.of(s.serial()), Optional.of(s.sha256()),
            Optional.of(s.notAfter()), refusal.get(), List.of());
      }
    }
    Generation g;
    String reason = state.isEmpty() ? "first" : force ? "forced" : "renewal";
    try {
      List<San> sans = new ArrayList<>();
      for (String s : c.sans()) {
        sans.add(San.parse(s));
      }
      PrivateKey key;
      PublicKey publicKey;
      if (c.key() == KeyOnRenewal.REUSE && current.isPresent()
          && KeyType.of(current.get().certificate().getPublicKey()).filter(keyType::equals).isPresent()) {
        key = current.get().key();
        publicKey = current.get().certificate().getPublicKey();
      } else {
        KeyPair kp = KeyPairs.generate(keyType);
        key = kp.getPrivate();
        publicKey = kp.getPublic();
      }
      if (c.acme().isPresent()) {
        // the server learns which certificate this one replaces when it gave renewal information for it
        Optional<X509Certificate> replaces = Optional.empty();
        if (current.isPresent() && acmeStates.find(name).flatMap(io.certkeeper.store.AcmeState::ari)
            .filter(i -> i.serial().equals(current.get().serial()) && i.window().isPresent()).isPresent()) {
          replaces = Optional.of(current.get().certificate());
        }
        List<X509Certificate> chain = issueAcme(cfg, c, new KeyPair(publicKey, key), replaces);
        g = new Generation(key, chain.get(0), chain.subList(1, chain.size()));
      } else {
        if (issuer.isEmpty()) {
          return failed(c, state, "no local CA to issue it (run 'certkeeper ca init', or give it issuer: acme:ACCOUNT)",
              now);
        }
        IssuedCertificate issued = issuer.get().issue(IssueRequest.forPublicKey(c.commonName(), sans, publicKey,
            validity, CaPolicies.profile(c.profile())));
        g = new Generation(key, issued.certificate(), issued.chain());
      }
      if (current.isPresent() && !g.notAfter().isAfter(current.get().notAfter())) {
        return failed(c, state, "refused: the new certificate " + g.serial() + " would expire at "
            + HumanTime.instant(g.notAfter()) + ", not after the current one ("
            + HumanTime.instant(current.get().notAfter()) + ")", now);
      }
      steps.passed(name, RenewalStep.AFTER_ISSUE);
      gens.write(g);
      steps.passed(name, RenewalStep.AFTER_GENERATION);
      gens.swap(g.serial());
    } catch (AcmeFailure e) {
      return failed(c, state, e.getMessage(), now, e.retryAfter());
    } catch (CaException | StoreException | IOException | IllegalArgumentException e) {
      return failed(c, state, e.getMessage(), now);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(c, state, "interrupted while the ACME order was under way", now);
    }
    steps.passed(name, RenewalStep.AFTER_SWAP);
    // Committed: from here on the new generation is in force, whatever fails.
    log.info("{} - renewed: serial {}, valid until {} ({})", name, g.serial(), g.notAfter(), reason);
    try {
      records.swapped(name, g.inForce(), reason, now);
    } catch (StoreException e) {
      log.error("{} - generation {} in force but not recorded (the next start records it): {}", name, g.serial(),
          e.getMessage());
    }
    if (c.acme().isPresent() && state.isEmpty()) {
      try {
        acmeStates.issued(name);
      } catch (StoreException e) {
        log.warn("{} - cannot clear the first issue's failures: {}", name, e.getMessage());
      }
    }
    steps.passed(name, RenewalStep.AFTER_STORE);
    try {
      Outputs.write(c.outputs(), g, name);
    } catch (IOException e) {
      recordFailure(c, g.serial(), g.sha256(), g.notAfter(), "writing outputs: " + e.getMessage(), now, 0,
          org.slf4j.event.Level.ERROR); // the outcome says renewed: this line is where the caller hears of it
    }
    steps.passed(name, RenewalStep.AFTER_OUTPUTS);
    try {
      gens.prune(keepAround(gens, g));
    } catch (IOException e) {
      log.warn("{} - cannot prune old generations: {}", name, e.getMessage());
    }
    HookRun hooks = runHooks(c, g, gens.dir(g.serial()));
    if (!hooks.stopped()) {
      try {
        records.hooksDone(name, g.serial());
      } catch (StoreException e) {
        log.warn("{} - cannot record that its hooks ran (they run again at the next start): {}", name, e.getMessage());
      }
    }
    List<String> hookErrors = hooks.errors();
    listeners.reloadManaged(name);
    closedLoop(cfg, c, g.sha256(), listeners);
    return new Outcome(name, Kind.RENEWED, Optional.of(g.serial()), Optional.of(g.sha256()), Optional.of(g.notAfter()),
        "", hookErrors);
  }

  /** The generations to keep: {@code g} and the newest one before it (for rollback). */
  static List<String> keepAround(Generations gens, Generation g) throws IOException {
    List<String> keep = new ArrayList<>(List.of(g.serial()));
    Optional<String> previous = Optional.empty();
    Instant previousNotAfter = Instant.MIN;
    for (String s : gens.serials()) {
      if (s.equals(g.serial())) {
        continue;
      }
      try {
        Generation other = Generation.read(gens.dir(s));
        if (other.notAfter().isBefore(g.notAfter()) && other.notAfter().isAfter(previousNotAfter)) {
          previous = Optional.of(s);
          previousNotAfter = other.notAfter();
        }
      } catch (IOException e) {
        // damaged: not worth keeping
      }
    }
    previous.ifPresent(keep::add);
    return keep;
  }

  /** What running a certificate's hooks came to: their failures, and whether a stop ended them. */
  private record HookRun(List<String> errors, boolean stopped) {}

  private HookRun runHooks(CertificateConfig c, Generation g, Path dir) {
    List<String> errors = new ArrayList<>();
    if (c.hooks().isEmpty()) {
      return new HookRun(errors, false);
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put("CERTKEEPER_NAME", c.name());
    env.put("CERTKEEPER_CERT_FILE", dir.resolve(ManagedLayout.CERT).toString());
    env.put("CERTKEEPER_KEY_FILE", dir.resolve(ManagedLayout.KEY).toString());
    env.put("CERTKEEPER_CHAIN_FILE", dir.resolve(ManagedLayout.CHAIN).toString());
    env.put("CERTKEEPER_FULLCHAIN_FILE", dir.resolve(ManagedLayout.FULLCHAIN).toString());
    env.put("CERTKEEPER_SERIAL", g.serial());
    env.put("CERTKEEPER_NOT_AFTER", g.notAfter().toString());
    for (CertificateConfig.Hook h : c.hooks()) {
      String shown = String.join(" ", h.command());
      if (stopping.getAsBoolean()) {
        log.warn("{} - hooks not run: certkeeper is stopping; they run at the next start", c.name());
        return new HookRun(errors, true);
      }
      HookRunner.Result r = HookRunner.run(h, env, stopping);
      if (r.stopped()) {
        log.warn("{} - hook {} ended: certkeeper is stopping; the hooks run again at the next start", c.name(), shown);
        return new HookRun(errors, true);
      }
      if (r.ok()) {
        log.info("{} - hook {} done{}", c.name(), shown, r.output().isEmpty() ? "" : ": " + oneLine(r.output()));
        continue;
      }
      String error = r.error() + (r.output().isEmpty() ? "" : "; output: " + oneLine(r.output()));
      log.error("{} - hook {} failed: {}", c.name(), shown, error);
      errors.add(shown + ": " + error);
      try {
        records.hookFailed(c.name(), shown + ": " + error);
        if (alerts.isPresent()) {
          store.inTransaction(tx -> {
            alerts.get().hookFailed(tx, c.name(), g.sha256(), shown, error, c.owners());
            return null;
          });
        }
      } catch (StoreException e) {
        log.warn("{} - cannot record the hook failure: {}", c.name(), e.getMessage());
      }
    }
    return new HookRun(errors, false);
  }

  /**
   * After the daemon's listeners of managed certificate {@code name} loaded something new (the file
   * watcher saw its {@code current} link change, after a renewal by the CLI) or started: does each
   * serve the generation in force? Waits {@link ListenerCheck#GRACE} at most. Never throws.
   *
   * @param in the listeners, running in this process
   */
  public void checkListeners(String name, ServingListeners in) {
    Config cfg = config.get();
    Optional<CertificateConfig> c = cfg.certificate(name);
    if (c.isEmpty()) {
      return;
    }
    try {
      Optional<Generation> g = new Generations(dataDir, name).current();
      if (g.isPresent()) {
        closedLoop(cfg, c.get(), g.get().sha256(), in);
      }
    } catch (IOException | RuntimeException e) {
      log.warn("{} - cannot check the listeners: {}", name, e.toString());
    }
  }

  /** Does each listener of this certificate running in this process serve {@code sha256}? */
  private void closedLoop(Config cfg, CertificateConfig c, String sha256, ServingListeners in) {
    for (ListenerConfig l : cfg.listeners()) {
      if (l.certificate().managed().filter(c.name()::equals).isPresent()) {
        listenerCheck.check(c, l, sha256, in);
      }
    }
  }

  /** Rewrites outputs that do not hold the generation in force (after a failed write). */
  private void repairOutputs(CertificateConfig c, ManagedState s, Instant now) throws IOException, StoreException {
    if (c.outputs().isEmpty() || s.nextAttemptAt().filter(now::isBefore).isPresent()) {
      return;
    }
    Optional<Generation> g = new Generations(dataDir, c.name()).current();
    if (g.isEmpty() || Outputs.stale(c.outputs(), g.get()).isEmpty()) {
      return;
    }
    try {
      Outputs.write(c.outputs(), g.get(), c.name());
      log.info("{} - outputs rewritten for serial {}", c.name(), g.get().serial());
      records.failuresCleared(c.name());
    } catch (IOException e) {
      recordFailure(c, s.serial(), s.sha256(), s.notAfter(), "writing outputs: " + e.getMessage(), now,
          s.consecutiveFailures(), org.slf4j.event.Level.ERROR);
    }
  }

  private Outcome failed(CertificateConfig c, Optional<ManagedState> state, String error, Instant now) {
    return failed(c, state, error, now, Optional.empty());
  }

  /** @param serverSays when the server said to come back (an ACME rate limit), if it did */
  private Outcome failed(CertificateConfig c, Optional<ManagedState> state, String error, Instant now,
      Optional<Instant> serverSays) {
    if (state.isEmpty()) {
      Optional<Instant> next = Optional.empty();
      if (c.acme().isPresent()) {
        // no order again before the backoff (or the server's Retry-After) ends: an ACME server counts failures
        try {
          int failures = acmeStates.find(c.name()).map(io.certkeeper.store.AcmeState::firstFailures).orElse(0) + 1;
          next = Optional.of(RenewalBackoff.next(now, failures, FIRST_ISSUE_URGENCY, serverSays));
          acmeStates.firstIssueFailed(c.name(), oneLine(error), next.get());
        } catch (StoreException e) {
          log.warn("{} - cannot record the failure: {}", c.name(), e.getMessage());
        }
      }
      String message = error + next.map(t -> "; next attempt at " + HumanTime.instant(t)).orElse("");
      log.atLevel(failureLevel).log("{} - cannot issue the first certificate: {}", c.name(), message);
      return new Outcome(c.name(), Kind.FAILED, Optional.empty(), Optional.empty(), Optional.empty(), message,
          List.of());
    }
    ManagedState s = state.get();
    Optional<Instant> next = recordFailure(c, s.serial(), s.sha256(), s.notAfter(), error, now, s.consecutiveFailures(),
        failureLevel, serverSays);
    return new Outcome(c.name(), Kind.FAILED, Optional.of(s.serial()), Optional.of(s.sha256()),
        Optional.of(s.notAfter()), error + next.map(t -> "; next attempt at " + HumanTime.instant(t)).orElse(""),
        List.of());
  }

  private Optional<Instant> recordFailure(CertificateConfig c, String serial, String sha256, Instant notAfter,
      String error, Instant now, int failuresBefore, org.slf4j.event.Level level) {
    return recordFailure(c, serial, sha256, notAfter, error, now, failuresBefore, level, Optional.empty());
  }

  private Optional<Instant> recordFailure(CertificateConfig c, String serial, String sha256, Instant notAfter,
      String error, Instant now, int failuresBefore, org.slf4j.event.Level level, Optional<Instant> serverSays) {
    Optional<Instant> next = Optional.of(RenewalBackoff.next(now, failuresBefore + 1, Duration.between(now, notAfter),
        serverSays));
    log.atLevel(level).log("{} - renewal failed (attempt {}), next attempt at {}: {}", c.name(),
        failuresBefore + 1, next.get(), error);
    try {
      // the failure and its alert commit together
      store.inTransaction(tx -> {
        tx.managed(node).failed(c.name(), error, next, now);
        if (alerts.isPresent()) {
          alerts.get().renewalFailed(tx, c.name(), sha256, oneLine(error), next, notAfter, c.owners());
        }
        return null;
      });
    } catch (StoreException e) {
      log.warn("{} - cannot record the failure: {}", c.name(), e.getMessage());
    }
    return next;
  }

  private static String oneLine(String s) {
    String t = s.replaceAll("\\s*\\R\\s*", " | ").trim();
    return t.length() > 500 ? t.substring(0, 500) + "..." : t;
  }
}
