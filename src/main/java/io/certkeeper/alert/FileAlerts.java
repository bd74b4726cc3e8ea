package io.certkeeper.alert;

import io.certkeeper.config.AlertsConfig;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import io.certkeeper.store.Transaction;
import io.certkeeper.store.WatchedFileRepository;
import io.certkeeper.store.WatchedFileRepository.StaleDeploy;
import io.certkeeper.store.WatchedFileRepository.WatchedFile;
import io.certkeeper.util.Printable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerts about one node's watched certificate files ({@code files:}), one transaction per file:
 * {@code expiry} as each certificate in it crosses a threshold within its entry's {@code warning}
 * (the same thresholds and severities as endpoints), {@code problem} once when the file cannot be
 * read (a missing permission, a wrong password) and {@code resolved} when it can again, and
 * {@code stale_deploy} once per certificate an endpoint serves instead of the file's.
 *
 * <p>A file is evaluated again only when it was read again, its problem or stale deploys changed,
 * the alert settings changed, or the time reached the next threshold of a certificate in it.
 */
final class FileAlerts {
  private static final Logger log = LoggerFactory.getLogger(FileAlerts.class);

  private final Store store;
  private final String node;
  private final AlertOutbox outbox;
  private final Clock clock;
  private final Map<String, Looked> looked = new ConcurrentHashMap<>();

  private record Looked(Instant readAt, Optional<String> problem, List<StaleDeploy> stale, AlertsConfig cfg,
      Instant recheckAt) {}

  FileAlerts(Store store, String node, AlertOutbox outbox, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.node = Objects.requireNonNull(node, "node");
    this.outbox = Objects.requireNonNull(outbox, "outbox");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The subject of a file's alerts: {@code file:NODE:PATH} (a long path shortened, with a hash). */
  static String subject(String node, String path) {
    String p = path.length() <= 900 ? path
        : path.substring(0, 880) + "..." + io.certkeeper.x509.Fingerprints.sha256(
            path.getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 12);
    return "file:" + node + ":" + p;
  }

  /** Evaluates the files that may have news; returns {alerted, suppressed}. */
  int[] evaluate(AlertsConfig cfg) throws StoreException {
    WatchedFileRepository repo = new WatchedFileRepository(store, node);
    List<WatchedFile> files = repo.list();
    Map<String, List<StaleDeploy>> stale = repo.staleDeploys(files).stream()
        .collect(Collectors.groupingBy(StaleDeploy::path));
    looked.keySet().retainAll(files.stream().map(WatchedFile::path).toList());
    Instant now = clock.instant();
    int alerted = 0;
    int suppressed = 0;
    for (WatchedFile f : files) {
      List<StaleDeploy> st = stale.getOrDefault(f.path(), List.of());
      Looked before = looked.get(f.path());
      if (before != null && before.readAt().equals(f.readAt()) && before.problem().equals(f.problemCode())
          && before.stale().equals(st) && before.cfg().equals(cfg) && now.isBefore(before.recheckAt())) {
        continue;
      }
      try {
        List<AlertEvent> written = new ArrayList<>();
        Instant recheck = store.inTransaction(tx -> evaluate(tx, f, st, cfg, now, written));
        looked.put(f.path(), new Looked(f.readAt(), f.problemCode(), st, cfg, recheck));
        for (AlertEvent e : written) {
          if (e.suppressed()) {
            suppressed++;
          } else {
            alerted++;
            log.info("{} - alert {} {}: {}", f.path(), e.severity().code(), e.kind().code(), Printable.line(e.title()));
          }
        }
      } catch (StoreException e) {
        log.warn("{} - alert evaluation failed: {}", f.path(), e.getMessage());
      }
    }
    return new int[] {alerted, suppressed};
  }

  private Instant evaluate(Transaction tx, WatchedFile f, List<StaleDeploy> stale, AlertsConfig cfg, Instant now,
      List<AlertEvent> written) throws StoreException {
    String subject = subject(node, f.path());
    WatchedFileRepository.FileSettings settings = f.parsedSettings();
    Duration warning = settings.warning();
    Duration critical = settings.critical();
    List<String> owners = settings.owners();
    String where = "file " + f.path() + " on " + node;
    List<AlertEvent> events = new ArrayList<>();
    Instant recheck = Instant.MAX;
    if (f.problemCode().isPresent()) {
      String code = f.problemCode().get();
      if (!f.alertedProblem().equals(f.problemCode())) {
        Instant since = f.problemSince().orElse(f.readAt());
        events.add(new AlertEvent(subject, AlertKind.PROBLEM, code + " " + since.getEpochSecond(), Optional.empty(),
            Severity.CRITICAL, f.path() + ": " + code.replace('_', ' '),
            new AlertFacts("certkeeper cannot read the certificates in " + f.path() + ": "
                + f.problem().orElse(code) + ". Their expiry is not watched until it can.", where,
                "since " + since, action(code), List.of()),
            owners, false));
        tx.files(node).alerted(f.path(), Optional.of(code));
      }
    } else {
      if (f.alertedProblem().isPresent()) {
        events.add(new AlertEvent(subject, AlertKind.RESOLVED, "read " + f.readAt().getEpochSecond(), Optional.empty(),
            Severity.INFO, f.path() + ": readable again",
            new AlertFacts(f.path() + " was read again (" + f.alertedProblem().get().replace('_', ' ')
                + " is resolved); its certificates are watched again.", where, "read at " + f.readAt(),
                "Nothing to do.", List.of()),
            owners, false));
        tx.files(node).alerted(f.path(), Optional.empty());
      }
      List<Duration> thresholds = cfg.thresholds().stream().filter(t -> t.compareTo(warning) <= 0).toList();
      for (WatchedFileRepository.Entry e : f.entries()) {
        recheck = min(recheck, AlertEvaluator.nextThreshold(e.notAfter(), thresholds, now));
        ExpiryPolicy.Decision d = ExpiryPolicy.decide(e.notAfter(), now, thresholds,
            AlertOutbox.recorded(tx, subject, AlertKind.EXPIRY, e.sha256()));
        for (String label : d.fire().map(List::of).orElse(List.of())) {
          events.add(expiry(subject, f, e, label, critical, now, owners, where));
        }
        for (String label : d.suppress()) {
          events.add(expiry(subject, f, e, label, critical, now, owners, where).asSuppressed());
        }
      }
      for (StaleDeploy s : stale) {
        String what = s.fileIsNewer()
            ? f.path() + " holds a newer certificate than " + s.endpointId() + " serves: the server was not reloaded"
                + " (or not pointed at this file) after the deploy."
            : s.endpointId() + " serves a newer certificate than " + f.path() + " holds: the file was left behind.";
        events.add(new AlertEvent(subject, AlertKind.STALE_DEPLOY, s.endpointId() + " " + s.servedSha256(),
            Optional.of(s.fileSha256()), Severity.WARNING, f.path() + " differs from what " + s.endpointId() + " serves",
            new AlertFacts(what + " File: sha256 " + s.fileSha256() + ", not after " + s.fileNotAfter() + ". Served: sha256 "
                + s.servedSha256() + ", not after " + s.servedNotAfter() + ".", where
                + (s.link().equals("linked") ? " (endpoints: " + s.endpointId() + ")" : " (same key as " + s.endpointId()
                    + ")"), "compared at " + now,
                s.fileIsNewer() ? "Reload the service behind " + s.endpointId() + "." : "Deploy the current certificate to "
                    + f.path() + ", or remove the file.", List.of()),
            owners, false));
      }
    }
    for (AlertEvent ev : events) {
      if (outbox.enqueue(tx, ev)) {
        written.add(ev);
      }
    }
    return recheck;
  }

  private static AlertEvent expiry(String subject, WatchedFile f, WatchedFileRepository.Entry e, String label,
      Duration critical, Instant now, List<String> owners, String where) {
    String remaining = ExpiryPolicy.remaining(e.notAfter(), now);
    String cert = e.subject() + " (" + e.place() + ")";
    String what = label.equals(ExpiryPolicy.EXPIRED)
        ? "The certificate " + cert + " in " + f.path() + " has expired."
        : "The certificate " + cert + " in " + f.path() + " " + remaining + " (alert threshold " + label + ").";
    return new AlertEvent(subject, AlertKind.EXPIRY, label, Optional.of(e.sha256()),
        ExpiryPolicy.severity(label, critical), f.path() + " " + e.place() + " certificate " + remaining,
        new AlertFacts(what, where, "not after " + e.notAfter() + " (checked " + now + ")",
            "Renew the certificate and replace the file (and reload what reads it); certkeeper alerts again at the"
                + " next threshold unless the file holds a renewed certificate.",
            List.of(e.subject() + " | issuer " + e.issuer() + " | not after " + e.notAfter() + " | sha256 "
                + e.sha256())),
        owners, false);
  }

  private static String action(String code) {
    return switch (code) {
      case "unreadable" -> "Grant the daemon's user read access (a group, or a ReadOnlyPaths= drop-in; see README,"
          + " 'Certificates in files').";
      case "wrong_password" -> "Set the entry's password: to the keystore's password.";
      case "missing" -> "Restore the file, or remove it from files:.";
      default -> "Replace the file with a readable certificate file, or remove it from files:.";
    };
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
