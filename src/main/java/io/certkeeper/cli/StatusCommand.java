package io.certkeeper.cli;

import io.certkeeper.util.HumanTime;
import io.certkeeper.util.Printable;
import io.certkeeper.alert.AlertLedger;
import io.certkeeper.config.Config;
import io.certkeeper.config.ConfigException;
import io.certkeeper.renew.Explanation;
import io.certkeeper.renew.RenewalWatch;
import io.certkeeper.daemon.Daemon;
import io.certkeeper.store.AlertOutboxRepository;
import io.certkeeper.store.CertificateRepository;
import io.certkeeper.store.DaemonRun;
import io.certkeeper.store.DaemonRunRepository;
import io.certkeeper.store.Store;
import io.certkeeper.schedule.ProbeCalendar;
import io.certkeeper.schedule.StoredEndpoints;
import io.certkeeper.store.EndpointRepository;
import io.certkeeper.store.EndpointRow;
import io.certkeeper.store.EndpointState;
import io.certkeeper.store.ListenerStateRepository;
import io.certkeeper.store.ManagedRenewal;
import io.certkeeper.store.ProbeResultRepository;
import io.certkeeper.util.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Summarize the store: whether a daemon runs on it, and the certificates it knows.",
      "Works while the daemon runs (the H2 file is shared)."
    })
final class StatusCommand implements Callable<Integer> {
  /** The window "expiring soon" counts use. */
  static final Duration SOON = Duration.ofDays(30);
  /** Endpoints with problems listed in the human output; all are in {@code --json}. */
  static final int MAX_LISTED = 20;

  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print the status as JSON (shape documented in README).")
  boolean json;

  /**
   * The JSON shape of {@code status --json}.
   *
   * @param warnings things to fix, one line each (e.g. a data directory others can read)
   * @param configError why the configuration file does not load (the status is then read from the
   *     store in the data directory named by {@code --data-dir} or the default, without the
   *     configured managed certificates); null when it loads
   */
  record Status(StoreStatus store, DaemonStatus daemon, List<NodeStatus> nodes, CertificateCounts certificates,
      List<EndpointStatus> endpoints, AlertCounts alerts, List<ListenerStatus> listeners, List<ManagedStatus> managed,
      FileCounts files, List<String> warnings, String configError) {}

  /**
   * This node's watched files ({@code files:}).
   *
   * @param problems files that could not be read at their last rescan
   * @param staleDeploys files whose certificate differs from what an endpoint serves
   */
  record FileCounts(long watched, long problems, long staleDeploys) {}

  /**
   * One node of the fleet on this store (a single host is a fleet of one): its newest run.
   *
   * @param state as {@link DaemonStatus#state}
   * @param endpointsDeclared configured endpoints its configuration declares
   * @param slotsLastClaimed whether it dispatched the newest probe slot
   * @param managed the managed certificates it holds (with a generation in force), by name
   * @param listeners its listeners, by name
   */
  record NodeStatus(String name, String state, String host, Long pid, String version, Instant startedAt,
      Instant heartbeatAt, Instant stoppedAt, long endpointsDeclared, boolean slotsLastClaimed, List<String> managed,
      List<String> listeners) {}

  /**
   * One managed certificate ({@code certificates:}); {@code serial} is null before the first issue.
   *
   * @param state as {@code explain}: {@code not-issued}, {@code waiting}, {@code due}, {@code backing-off}
   *     or {@code overdue}
   * @param overdueAt from when the renewal is overdue ({@code renewal_overdue})
   */
  record ManagedStatus(String name, String state, String serial, Instant notAfter, Instant renewAt,
      int consecutiveFailures, String lastError, Instant nextAttemptAt, Instant overdueAt) {}

  /**
   * @param pending deliveries not yet sent (including ones being sent and digests waiting for their window)
   * @param failed deliveries that failed for good
   * @param lastError the newest delivery error, with the server's reply; null when none
   */
  record AlertCounts(long pending, long sent, long failed, String lastError, Instant lastErrorAt) {}

  /**
   * @param status the worst problem of the last probe, {@code ok}, or {@code pending} (never probed)
   * @param daysLeft days until the served leaf expires (last known)
   * @param nextRun next scheduled probe (from the job store)
   */
  record EndpointStatus(String id, String status, List<String> problems, Long daysLeft, Instant lastProbeAt,
      Instant nextRun) {}

  record StoreStatus(String url, String schemaVersion) {}

  /**
   * @param state {@code running}, {@code stopped}, {@code crashed} (not stopped cleanly and no longer
   *     alive), {@code unknown} (another host, heartbeat stale) or {@code never}
   */
  record DaemonStatus(String state, String node, Long pid, String host, String version, Instant startedAt,
      Instant heartbeatAt, Instant stoppedAt, Instant lastReloadAt, String lastReloadError) {}

  /** @param file known from watched files only */
  record CertificateCounts(long total, long issued, long observed, long file, long expired, long expiringWithin30d) {}

  private static FileCounts files(Store store, String node) throws io.certkeeper.store.StoreException {
    io.certkeeper.store.WatchedFileRepository repo = new io.certkeeper.store.WatchedFileRepository(store, node);
    List<io.certkeeper.store.WatchedFileRepository.WatchedFile> files = repo.list();
    if (files.isEmpty()) {
      return new FileCounts(0, 0, 0);
    }
    long problems = files.stream().filter(f -> f.problemCode().isPresent()).count();
    long stale = repo.staleDeploys(files).stream().map(io.certkeeper.store.WatchedFileRepository.StaleDeploy::path)
        .distinct().count();
    return new FileCounts(files.size(), problems, stale);
  }

  @Override
  public Integer call() throws Exception {
    CertkeeperCommand root = CertkeeperCommand.of(spec);
    Instant now = root.clock().instant();
    // The daemon's own record (a rejected reload, say) is worth showing even when the configuration
    // file does not load: then read the embedded store of --data-dir (or the default) with defaults.
    Optional<Config> config;
    Optional<ConfigException> configError;
    Path dataDir;
    try {
      config = Optional.of(root.config());
      dataDir = root.dataDir();
      configError = Optional.empty();
    } catch (ConfigException e) {
      dataDir = root.dataDirWithoutConfig();
      if (!Files.exists(dataDir.resolve(EMBEDDED_FILE))) {
        throw e; // no store to show: the configuration error alone, exit 2
      }
      config = Optional.empty();
      configError = Optional.of(e);
    }
    Status status;
    Store opened;
    try {
      opened = root.openStore(config.orElseGet(Config::defaults), dataDir);
    } catch (io.certkeeper.store.StoreException e) {
      // the store cannot be read (a full disk, say): what the data directory shows is still worth a line
      printWarnings(root, dataDir);
      throw e;
    }
    try (Store store = opened) {
      CertificateRepository.Summary s = new CertificateRepository(store).summary(now, now.plus(SOON));
      DaemonRunRepository runRepo = new DaemonRunRepository(store);
      String thisNode = config.orElseGet(Config::defaults).nodeName();
      Optional<DaemonRun> run = runRepo.latest(thisNode);
      if (run.isEmpty()) {
        run = runRepo.latest(); // this host's node never ran: show the newest of the fleet
      }
      List<io.certkeeper.config.CertificateConfig> certificates = config.map(Config::certificates).orElse(List.of());
      List<io.certkeeper.config.CertificateConfig> declared = config.map(c -> java.util.stream.Stream.concat(
          c.certificates().stream(), c.elsewhere().certificates().stream()).toList()).orElse(List.of());
      RenewalWatch renewals = RenewalWatch.of(thisNode, () -> declared);
      status = new Status(
          new StoreStatus(store.description(), store.schemaVersion()),
          daemonStatus(run, now),
          nodes(store, runRepo, now),
          new CertificateCounts(s.total(), s.issued(), s.observed(), s.file(), s.expired(), s.expiringSoon()),
          endpoints(store, renewals, now),
          alerts(new AlertLedger(store).summary()),
          new ListenerStateRepository(store, thisNode).list().stream().map(StatusCommand::listener).toList(),
          managed(store, thisNode, certificates, now),
          files(store, thisNode),
          warnings(dataDir),
          configError.map(e -> Main.oneLine(e.getMessage())).orElse(null));
    } catch (io.certkeeper.store.StoreException e) {
      // opened, but a read failed (the daemon's store on a full disk, say): the same
      printWarnings(root, dataDir);
      throw e;
    }
    PrintWriter out = root.out();
    if (json) {
      out.println(Json.pretty(status));
    } else {
      printHuman(out, status, now, dataDir);
    }
    return configError.isPresent() ? ExitCodes.CONFIG : ExitCodes.OK;
  }

  private static void printWarnings(CertkeeperCommand root, Path dataDir) {
    for (String w : warnings(dataDir)) {
      root.err().println("certkeeper: warning: " + w);
    }
  }

  /** The embedded store's file in the data directory. */
  static final String EMBEDDED_FILE = "certkeeper.mv.db";

  /** Free space below which the store cannot take a write (H2 writes whole chunks). */
  static final long LOW_SPACE_BYTES = 1L << 20;

  /**
   * What the operator should fix: a data directory that others may enter or read; a file system
   * too full for the store to write (the daemon is then not ready, and records nothing).
   */
  static List<String> warnings(java.nio.file.Path dataDir) {
    List<String> out = new java.util.ArrayList<>();
    if (!Files.isDirectory(dataDir)) {
      return out; // nothing there to fix (a store on PostgreSQL, say)
    }
    try {
      io.certkeeper.util.PrivateFiles.accessibleToOthers(dataDir).ifPresent(mode -> out.add(dataDirWarning(dataDir, mode)));
    } catch (java.io.IOException e) {
      out.add("data dir " + dataDir + ": cannot read its mode: " + e.getMessage());
    }
    try {
      long free = java.nio.file.Files.getFileStore(dataDir).getUsableSpace();
      if (free < LOW_SPACE_BYTES) {
        out.add("store not writable: the file system of data dir " + dataDir + " has " + free
            + " bytes free; free some space (the daemon recovers by itself)");
      }
    } catch (java.io.IOException e) {
      out.add("data dir " + dataDir + ": cannot read its free space: " + e.getMessage());
    }
    return out;
  }

  static String dataDirWarning(java.nio.file.Path dataDir, String mode) {
    return "data dir " + dataDir + " is group/world-accessible (" + mode + "): chmod 700 " + dataDir;
  }

  private static List<EndpointStatus> endpoints(Store store, RenewalWatch renewals, Instant now) throws Exception {
    Map<String, EndpointState> states = new HashMap<>();
    for (EndpointState st : new ProbeResultRepository(store).states()) {
      states.put(st.endpointId(), st);
    }
    // the next probe is a function of the endpoint's id and schedule: no scheduler is started
    List<EndpointRow> rows = new EndpointRepository(store).list();
    ProbeCalendar calendar = ProbeCalendar.of(StoredEndpoints.decode(rows, (id, why) -> {}));
    List<EndpointStatus> out = new ArrayList<>();
    for (EndpointRow r : rows) {
      Instant next = calendar.next(r.id(), now).orElse(null);
      EndpointState st = states.get(r.id());
      if (st == null) {
        out.add(new EndpointStatus(r.id(), "pending", List.of(), null, null, next));
        continue;
      }
      String status = st.status();
      List<String> problems = st.problems();
      // a certificate certkeeper renews itself: judged by its renewal (at this moment), not the warning
      Optional<ManagedRenewal> m = st.consecutiveFailures() == 0 && st.leafSha256().isPresent()
          ? renewals.find(store, st.leafSha256().get()) : Optional.empty();
      if (m.isPresent()) {
        problems = RenewalWatch.judge(m.get(), problems, now);
        status = RenewalWatch.status(status, problems);
      }
      out.add(new EndpointStatus(r.id(), status, problems,
          st.leafNotAfter().map(t -> Duration.between(now, t).toDays()).orElse(null), st.lastProbeAt(), next));
    }
    return out;
  }

  private static List<ManagedStatus> managed(Store store, String node,
      List<io.certkeeper.config.CertificateConfig> configured, Instant now) throws Exception {
    List<ManagedStatus> out = new ArrayList<>();
    for (io.certkeeper.renew.Explanation e : io.certkeeper.renew.ManagedView.of(store, node).all(configured, now)) {
      out.add(new ManagedStatus(e.name(), e.state(), e.serial(), e.notAfter(), e.renewAt(), e.consecutiveFailures(),
          e.lastError(), e.nextAttemptAt(), e.overdueAt()));
    }
    return out;
  }

  private static AlertCounts alerts(AlertOutboxRepository.Summary s) {
    return new AlertCounts(s.pending(), s.sent(), s.failed(), s.lastError().orElse(null),
        s.lastErrorAt().orElse(null));
  }

  /**
   * @param verifiedSha256 what a real connection saw after the last swap
   * @param mismatch whether that differs from what was loaded
   * @param lastError why the last reload was refused (the previous certificate kept serving)
   */
  record ListenerStatus(String name, String bind, String role, String sha256, String serial, Instant notAfter,
      Instant loadedAt, String verifiedSha256, boolean mismatch, String lastError, Instant lastErrorAt) {}

  private static ListenerStatus listener(io.certkeeper.store.ListenerState l) {
    return new ListenerStatus(l.name(), l.bind(), l.role(), l.sha256(), l.serial(), l.notAfter(), l.loadedAt(),
        l.verifiedSha256().orElse(null), l.mismatch(), l.lastError().orElse(null), l.lastErrorAt().orElse(null));
  }

  private static List<NodeStatus> nodes(Store store, DaemonRunRepository runs, Instant now) throws Exception {
    Map<String, Long> declared = new io.certkeeper.store.EndpointRepository(store).declarationsPerNode();
    Optional<String> slots = new io.certkeeper.store.ProbeSlotRepository(store).lastNode();
    Map<String, List<String>> managed = new java.util.HashMap<>();
    for (io.certkeeper.store.ManagedState m : io.certkeeper.store.ManagedCertificateRepository.everyNode(store)) {
      managed.computeIfAbsent(m.node(), k -> new ArrayList<>()).add(m.name());
    }
    Map<String, List<String>> listeners = new java.util.HashMap<>();
    for (io.certkeeper.store.ListenerState l : ListenerStateRepository.everyNode(store)) {
      listeners.computeIfAbsent(l.node(), k -> new ArrayList<>()).add(l.name());
    }
    List<NodeStatus> out = new java.util.ArrayList<>();
    for (DaemonRun r : runs.latestPerNode()) {
      DaemonStatus d = daemonStatus(Optional.of(r), now);
      out.add(new NodeStatus(r.node(), d.state(), r.host(), r.pid(), r.version(), r.startedAt(), r.heartbeatAt(),
          r.stoppedAt().orElse(null), declared.getOrDefault(r.node(), 0L), slots.equals(Optional.of(r.node())),
          managed.getOrDefault(r.node(), List.of()), listeners.getOrDefault(r.node(), List.of())));
    }
    return out;
  }

  static DaemonStatus daemonStatus(Optional<DaemonRun> latest, Instant now) {
    if (latest.isEmpty()) {
      return new DaemonStatus("never", null, null, null, null, null, null, null, null, null);
    }
    DaemonRun r = latest.get();
    String state;
    if (r.stoppedAt().isPresent()) {
      state = "stopped";
    } else if (r.host().equals(localHost())) {
      state = ProcessHandle.of(r.pid()).map(ProcessHandle::isAlive).orElse(false) ? "running" : "crashed";
    } else {
      Duration age = Duration.between(r.heartbeatAt(), now);
      state = age.compareTo(Daemon.HEARTBEAT.multipliedBy(3)) <= 0 ? "running" : "unknown";
    }
    return new DaemonStatus(state, r.node(), r.pid(), r.host(), r.version(), r.startedAt(), r.heartbeatAt(),
        r.stoppedAt().orElse(null), r.lastReloadAt().orElse(null), r.lastReloadError().orElse(null));
  }

  private static String localHost() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }

  private static void printListeners(PrintWriter out, Status s) {
    for (ListenerStatus l : s.listeners()) {
      out.printf("listener:     %s %s (%s) serves %s, expires %s%s%s%n", Printable.line(l.name()), l.bind(), l.role(),
          l.sha256().substring(0, 16), l.notAfter(), l.mismatch() ? "; SERVES " + l.verifiedSha256().substring(0, 16) : "",
          l.lastError() == null ? "" : "; last reload refused: " + Printable.line(l.lastError()));
    }
  }

  private static void printHuman(PrintWriter out, Status s, Instant now, Path dataDir) {
    printSummary(out, s, now, dataDir);
    printListeners(out, s);
    for (String w : s.warnings()) {
      out.println("warning:      " + w);
    }
  }

  /** {@code 12 days left}, {@code 1 day left}, {@code expired 303 days ago}: never a negative count. */
  static String daysLeft(long days) {
    if (days < 0) {
      return "expired " + -days + (days == -1 ? " day" : " days") + " ago";
    }
    return days + (days == 1 ? " day" : " days") + " left";
  }

  private static void printSummary(PrintWriter out, Status s, Instant now, Path dataDir) {
    out.printf("store:        %s (schema %s)%n", s.store().url(), s.store().schemaVersion());
    DaemonStatus d = s.daemon();
    if (d.state().equals("never")) {
      out.println("daemon:       never started on this store");
    } else {
      out.printf("daemon:       %s (node %s, pid %d on %s, version %s, started %s)%n", d.state(),
          Printable.line(d.node()), d.pid(), d.host(), d.version(), HumanTime.instant(d.startedAt()));
      if (d.lastReloadError() != null) {
        out.printf("              last reload at %s rejected: %s%n", HumanTime.instant(d.lastReloadAt()),
            Printable.line(d.lastReloadError()));
      }
    }
    if (s.nodes().size() > 1) {
      for (NodeStatus n : s.nodes()) {
        out.printf("node:         %s %s (pid %d on %s, version %s, heartbeat %s)%s%s%n", Printable.line(n.name()),
            n.state(), n.pid(), n.host(), n.version(), HumanTime.instant(n.heartbeatAt()),
            n.endpointsDeclared() > 0 ? "; declares " + n.endpointsDeclared() + " endpoints" : "",
            n.slotsLastClaimed() ? "; dispatched the newest probe slot" : "");
        if (!n.managed().isEmpty() || !n.listeners().isEmpty()) {
          out.printf("              holds %s%n", java.util.stream.Stream.of(held("managed certificate", n.managed()),
              held("listener", n.listeners())).filter(h -> !h.isEmpty()).collect(java.util.stream.Collectors.joining("; ")));
        }
      }
    }
    if (s.configError() != null) {
      out.printf("config:       does not load: %s%n", Printable.line(s.configError()));
      out.printf("              (this is the store in %s; a store.url or data-dir set in the file is not read;"
          + " managed certificates are not shown)%n", dataDir);
    }
    CertificateCounts c = s.certificates();
    out.printf("certificates: %d (issued %d, observed %d%s); expired %d; expiring within 30d %d%n",
        c.total(), c.issued(), c.observed(), c.file() == 0 ? "" : ", in files only " + c.file(), c.expired(),
        c.expiringWithin30d());
    AlertCounts a = s.alerts();
    if (s.files() != null && s.files().watched() > 0) {
      out.printf("files:        %d watched, %d with problems, %d stale deploys%n", s.files().watched(),
          s.files().problems(), s.files().staleDeploys());
    }
    out.printf("alerts:       %d pending, %d sent, %d failed%s%n", a.pending(), a.sent(), a.failed(),
        a.lastError() == null ? "" : " (last error at " + a.lastErrorAt() + ": " + Printable.line(a.lastError()) + ")");
    if (!s.managed().isEmpty()) {
      out.printf("managed:      %d%n", s.managed().size());
      for (ManagedStatus m : s.managed()) {
        out.printf("  %-30s %-12s %s%s%n", Printable.line(m.name()), m.state(),
            m.serial() == null ? "no certificate yet" : "serial " + m.serial() + ", valid until "
                + HumanTime.instant(m.notAfter()) + (m.state().equals(Explanation.OVERDUE)
                    ? ", renewal overdue since " + HumanTime.instant(m.overdueAt())
                    : ", renews at " + HumanTime.instant(m.renewAt())),
            m.consecutiveFailures() == 0 ? "" : "; " + m.consecutiveFailures() + " failures, next attempt at "
                + HumanTime.instant(m.nextAttemptAt()) + ": " + Printable.line(m.lastError()));
      }
    }
    Map<String, Long> byStatus = new TreeMap<>();
    for (EndpointStatus e : s.endpoints()) {
      byStatus.merge(e.status(), 1L, Long::sum);
    }
    List<String> counts = new ArrayList<>();
    byStatus.forEach((status, n) -> counts.add(n + " " + status));
    out.printf("endpoints:    %d%s%n", s.endpoints().size(), counts.isEmpty() ? "" : " (" + String.join(", ", counts) + ")");
    int shown = 0;
    for (EndpointStatus e : s.endpoints()) {
      if (e.status().equals("ok") || e.status().equals("pending")) {
        continue;
      }
      if (shown++ == MAX_LISTED) {
        out.println("              ... (all of them with --json or 'certkeeper endpoint list')");
        break;
      }
      out.printf("  %-40s %-20s %s%s%n", Printable.line(e.id()), e.status(), Printable.line(String.join(",", e.problems())),
          e.daysLeft() == null ? "" : ", " + daysLeft(e.daysLeft()));
    }
  }

  /** "2 listeners: admin, web", at most {@value #HELD_NAMES} names and how many more; empty for none. */
  static String held(String kind, List<String> names) {
    if (names.isEmpty()) {
      return "";
    }
    String shown = names.stream().limit(HELD_NAMES).map(Printable::line).collect(java.util.stream.Collectors.joining(", "));
    return names.size() + " " + kind + (names.size() == 1 ? "" : "s") + ": " + shown
        + (names.size() > HELD_NAMES ? " and " + (names.size() - HELD_NAMES) + " more" : "");
  }

  private static final int HELD_NAMES = 5;
}
