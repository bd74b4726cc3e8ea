package io.certkeeper.daemon;

import io.certkeeper.util.Printable;
import io.certkeeper.x509.Fingerprints;
import io.certkeeper.config.EndpointConfig;
import io.certkeeper.probe.ExpiryThresholds;
import io.certkeeper.probe.ProbeCapture;
import io.certkeeper.probe.ProbeJudge;
import io.certkeeper.probe.ProbeOptions;
import io.certkeeper.probe.ProbeRecords;
import io.certkeeper.probe.ProbeResult;
import io.certkeeper.probe.ProbeTarget;
import io.certkeeper.probe.Prober;
import io.certkeeper.probe.ProxyEndpoint;
import io.certkeeper.probe.StartTls;
import io.certkeeper.renew.RenewalWatch;
import io.certkeeper.schedule.ProbeDispatcher;
import io.certkeeper.store.ManagedRenewal;
import io.certkeeper.store.ProbeRecord;
import io.certkeeper.store.ProbeResultRepository;
import io.certkeeper.x509.TrustAnchors;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's probe service: probes an endpoint by id with its own settings, judges the capture,
 * and records it. {@link #dispatch} returns at once; one shared {@link Prober} bounds the probes in
 * flight; captures are judged on a small pool of their own (never on the network threads); one
 * writer thread stores the results in batches, one transaction for what arrived within
 * {@link #LINGER} (at most {@link #MAX_BATCH}), so a commit is shared by many probes. An endpoint
 * is not probed again until its previous result is stored.
 */
final class EndpointProbes implements ProbeDispatcher, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EndpointProbes.class);

  /** The managed certificate whose generation a leaf is (by SHA-256), if any. */
  @FunctionalInterface
  interface ManagedLookup {
    Optional<ManagedRenewal> find(String sha256) throws Exception;
  }

  private final Prober prober;
  private final ManagedLookup managed;
  private final ProbeResultRepository results;
  private final Path dataDir;
  private final Clock clock;
  private final Map<String, EndpointConfig> endpoints = new ConcurrentHashMap<>();
  private final Map<List<Path>, TrustAnchors> anchors = new ConcurrentHashMap<>();
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  /** How long the writer waits for more results before it commits a batch. */
  static final Duration LINGER = Duration.ofMillis(100);
  /** The most results one transaction stores. */
  static final int MAX_BATCH = 500;

  private final ScheduledExecutorService delays;
  private final ExecutorService judges;
  /** Fetches CRLs and OCSP answers for endpoints with {@code check-revocation} (blocking HTTP, off the judges). */
  private final ExecutorService revocations;
  private final io.certkeeper.probe.RevocationFetcher fetcher;
  /** Each CRL or OCSP request of a probe ends within twice this. */
  static final Duration REVOCATION_TIMEOUT = Duration.ofSeconds(5);
  /** Revocation fetches at once. */
  static final int REVOCATION_THREADS = 8;
  private final BlockingQueue<ProbeRecord> judged = new LinkedBlockingQueue<>();
  private final Thread writer;
  private final AtomicLong completed = new AtomicLong();
  private volatile boolean closing;

  EndpointProbes(int concurrency, ProbeResultRepository results, Path dataDir, Clock clock) {
    this(concurrency, results, dataDir, clock, leaf -> Optional.empty());
  }

  /**
   * @param managed the managed certificate a leaf is a generation of, if any: such a leaf is judged
   *     by its renewal ({@link RenewalWatch#judge}) instead of the endpoint's expiry warning
   */
  EndpointProbes(int concurrency, ProbeResultRepository results, Path dataDir, Clock clock, ManagedLookup managed) {
    this.prober = Prober.start(ProbeOptions.builder().concurrency(concurrency).build());
    this.managed = managed;
    this.results = results;
    this.dataDir = dataDir;
    this.clock = clock;
    java.util.concurrent.ScheduledThreadPoolExecutor d =
        new java.util.concurrent.ScheduledThreadPoolExecutor(1, daemonThreads("certkeeper-probe-delay"));
    // a stop drops delayed probes instead of interrupting anything
    d.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    d.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    this.delays = d;
    this.judges = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        daemonThreads("certkeeper-probe-judge"));
    this.revocations = new ThreadPoolExecutor(REVOCATION_THREADS, REVOCATION_THREADS, 0, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), daemonThreads("certkeeper-revocation"));
    this.fetcher = io.certkeeper.probe.RevocationFetcher.create(REVOCATION_TIMEOUT, clock);
    this.writer = daemonThreads("certkeeper-probe-store").newThread(this::writeLoop);
    writer.start();
  }

  /** Replaces the known endpoints (after every sync); trust anchors are re-read. */
  void update(Collection<EndpointConfig> all) {
    Map<String, EndpointConfig> next = new ConcurrentHashMap<>();
    for (EndpointConfig e : all) {
      next.put(e.id(), e);
    }
    endpoints.keySet().retainAll(next.keySet());
    endpoints.putAll(next);
    anchors.clear();
  }

  /** The TLS implementation probes use: OPENSSL (BoringSSL) or JDK. */
  String tlsProvider() {
    return prober.tlsProvider();
  }

  long completed() {
    return completed.get();
  }

  @Override
  public void dispatch(String endpointId, Duration delay) {
    dispatch(endpointId, delay, clock.instant().plus(delay.isNegative() ? Duration.ZERO : delay));
  }

  /** As {@link #dispatch(String, Duration)}; the result keeps {@code due} (how late it ran; one result per due time). */
  @Override
  public void dispatch(String endpointId, Duration delay, Instant due) {
    if (closing) {
      return;
    }
    if (delay.isZero() || delay.isNegative()) {
      start(endpointId, due);
    } else {
      delays.schedule(() -> start(endpointId, due), delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void start(String id, Instant due) {
    if (closing) {
      return;
    }
    EndpointConfig e = endpoints.get(id);
    if (e == null) {
      log.debug("{} - not an endpoint any more; skipped", id);
      return;
    }
    if (!inFlight.add(id)) {
      log.debug("{} - previous probe still running; skipped", id);
      return;
    }
    try {
      ProbeJudge judge = ProbeJudge.strict(anchorsFor(e), new ExpiryThresholds(e.warning(), e.critical()), clock);
      prober.probe(new ProbeTarget(e.target().toString(), e.target().host(), e.target().port()), options(e))
          .whenComplete((capture, failure) -> {
            if (closing) {
              inFlight.remove(id);
              return;
            }
            try {
              if (failure == null && e.checkRevocation() && capture != null && !capture.chain().isEmpty()) {
                // the CRLs and the OCSP answer first, on threads of their own: their servers may be slow
                revocations.execute(() -> {
                  io.certkeeper.probe.FetchedRevocation fetched;
                  try {
                    fetched = fetcher.fetch(capture.chain());
                  } catch (RuntimeException ex) {
                    fetched = new io.certkeeper.probe.FetchedRevocation(List.of(), Optional.empty(),
                        List.of("revocation information not fetched: " + Printable.line(ex.toString())));
                  }
                  io.certkeeper.probe.FetchedRevocation got = fetched;
                  try {
                    judges.execute(() -> finish(e, judge, capture, null, due, got));
                  } catch (java.util.concurrent.RejectedExecutionException stopped) {
                    inFlight.remove(id);
                  }
                });
              } else {
                judges.execute(() -> finish(e, judge, capture, failure, due, null));
              }
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
              inFlight.remove(id);
            }
          });
    } catch (IOException | RuntimeException ex) {
      inFlight.remove(id);
      log.error("{} - cannot probe: {}", Printable.line(id), Printable.line(ex.getMessage()));
    }
  }

  /**
   * Judges one probe and queues its row for the writer. Every probe ends with a row: when the
   * capture failed or the judge threw (neither should happen, both have happened with hostile
   * servers), the row says {@code malformed} and why. Nothing escapes onto the judge thread.
   */
  private void finish(EndpointConfig e, ProbeJudge judge, ProbeCapture capture, Throwable failure, Instant due,
      io.certkeeper.probe.FetchedRevocation fetched) {
    try {
      ProbeRecord row = (failure != null ? unjudged(e, "the probe failed unexpectedly", failure)
          : judged(e, judge, capture, fetched)).dueAt(due);
      judged.add(row);
    } catch (Throwable ex) {
      // an endpoint whose row never reaches the writer must not stay "in flight" for good
      inFlight.remove(e.id());
      log.error("{} - cannot judge probe: {}", Printable.line(e.id()), Printable.line(ex.toString()));
    }
  }

  /** The writer thread: stores batches until closed and drained. */
  private void writeLoop() {
    List<ProbeRecord> batch = new ArrayList<>(MAX_BATCH);
    while (true) {
      try {
        ProbeRecord first = judged.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closing && judges.isTerminated() && judged.isEmpty()) {
            return;
          }
          continue;
        }
        batch.add(first);
        long deadline = System.nanoTime() + LINGER.toNanos();
        while (batch.size() < MAX_BATCH && !closing) {
          long left = deadline - System.nanoTime();
          ProbeRecord next = left > 0 ? judged.poll(left, TimeUnit.NANOSECONDS) : judged.poll();
          if (next == null) {
            break;
          }
          batch.add(next);
        }
        judged.drainTo(batch, MAX_BATCH - batch.size());
        write(batch);
      } catch (InterruptedException ex) {
        return;
      } catch (Throwable ex) {
        // the writer never dies: without it no endpoint would be probed again
        log.error("probe results - {} not recorded: {}", batch.size(), Printable.line(ex.toString()));
      } finally {
        for (ProbeRecord r : batch) {
          inFlight.remove(r.endpointId());
        }
        batch.clear();
      }
    }
  }

  /** Rows stored one by one after a failed batch give up after this many failures in a row. */
  static final int MAX_FAILURES_IN_A_ROW = 3;

  /**
   * Stores a batch in one transaction. When that fails, each row is stored on its own, so one bad
   * row costs only itself; every failure is one line naming the endpoint. When rows keep failing
   * (the store is unreachable, not one row bad), the rest of the batch is dropped in one line
   * instead of waiting out a connection timeout per row: those endpoints are probed again at
   * their next due time.
   */
  private void write(List<ProbeRecord> rows) {
    try {
      results.recordAll(rows);
      completed.addAndGet(rows.size());
      if (log.isDebugEnabled()) {
        for (ProbeRecord r : rows) {
          log.debug("{} - {}", Printable.line(r.endpointId()), Printable.line(r.message()));
        }
      }
      return;
    } catch (Exception | StackOverflowError | LinkageError | AssertionError ex) {
      if (rows.size() == 1) {
        recordFailed(rows.get(0), ex);
        return;
      }
      log.debug("a batch of {} probe results failed; storing each on its own", rows.size(), ex);
    }
    int failedInARow = 0;
    for (int i = 0; i < rows.size(); i++) {
      ProbeRecord r = rows.get(i);
      try {
        results.record(r);
        completed.incrementAndGet();
        failedInARow = 0;
      } catch (Exception | StackOverflowError | LinkageError | AssertionError ex) {
        recordFailed(r, ex);
        if (++failedInARow >= MAX_FAILURES_IN_A_ROW && i + 1 < rows.size()) {
          log.error("probe results - {} more not recorded: the store keeps failing ({})", rows.size() - i - 1,
              Printable.line(ex.toString()));
          return;
        }
      }
    }
  }

  /** Whether the writer thread runs (readiness: without it nothing is recorded or probed again). */
  boolean writing() {
    return writer.isAlive() || closing;
  }

  private static void recordFailed(ProbeRecord r, Throwable ex) {
    log.error("{} - cannot record probe result: {}", Printable.line(r.endpointId()), Printable.line(ex.toString()));
    log.debug("{} - cannot record probe result", r.endpointId(), ex);
  }

  /** @param fetched the chain's revocation information, when the endpoint checks it (else null) */
  private ProbeRecord judged(EndpointConfig e, ProbeJudge judge, ProbeCapture capture,
      io.certkeeper.probe.FetchedRevocation fetched) {
    ProbeResult r;
    try {
      r = fetched == null ? judge.judge(capture) : judge.judge(capture, fetched);
    } catch (RuntimeException | StackOverflowError | LinkageError | AssertionError ex) {
      return unjudged(e, "what the endpoint sent cannot be judged", ex);
    }
    return byRenewal(ProbeRecords.of(e.id(), capture, r, clock.instant()));
  }

  /**
   * A leaf that certkeeper renews itself is not {@code expiring} while its renewal is ahead, and is
   * {@code renewal_overdue} once that is late. When the lookup fails, the probe's own verdict stands.
   */
  private ProbeRecord byRenewal(ProbeRecord row) {
    if (row.chain().isEmpty()) {
      return row;
    }
    Optional<ManagedRenewal> m;
    try {
      m = managed.find(Fingerprints.sha256(row.chain().get(0)));
    } catch (Exception ex) {
      log.warn("{} - cannot tell whether it serves a managed certificate: {}", Printable.line(row.endpointId()),
          Printable.line(ex.getMessage()));
      return row;
    }
    if (m.isEmpty()) {
      return row;
    }
    List<String> problems = RenewalWatch.judge(m.get(), row.problems(), row.probedAt());
    if (problems.equals(row.problems())) {
      return row;
    }
    return new ProbeRecord(row.endpointId(), row.probedAt(), RenewalWatch.status(row.status(), problems), problems,
        row.message(), row.address(), row.protocol(), row.cipher(), row.chain(), row.validPath(), row.pathNotAfter(),
        row.ocsp(), row.connectMs(), row.handshakeMs(), row.totalMs(), row.dueAt());
  }

  private ProbeRecord unjudged(EndpointConfig e, String what, Throwable why) {
    log.warn("{} - {}: {}", Printable.line(e.id()), what, Printable.line(why.toString()));
    log.debug("{} - {}", e.id(), what, why);
    return ProbeRecords.unjudged(e.id(), e.target() + ": " + what + " (" + why + ")", clock.instant());
  }

  private TrustAnchors anchorsFor(EndpointConfig e) throws IOException {
    TrustAnchors a = anchors.get(e.caFiles());
    if (a == null) {
      a = TrustSources.anchors(true, e.caFiles(), dataDir);
      anchors.put(e.caFiles(), a);
    }
    return a;
  }

  private static ProbeOptions options(EndpointConfig e) {
    Duration step = e.timeout().compareTo(ProbeOptions.DEFAULT_STEP_TIMEOUT) < 0 ? e.timeout()
        : ProbeOptions.DEFAULT_STEP_TIMEOUT;
    ProbeOptions.Builder b = ProbeOptions.builder()
        .timeout(e.timeout())
        .dnsTimeout(step)
        .connectTimeout(step)
        .handshakeTimeout(step);
    e.servername().ifPresent(b::serverName);
    e.starttls().ifPresent(s -> b.startTls(StartTls.parse(s)));
    e.proxy().ifPresent(p -> b.proxy(ProxyEndpoint.parse(p)));
    return b.build();
  }

  private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
    AtomicLong n = new AtomicLong();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Stops probing: no new probe starts, delayed ones are dropped, probes in flight are cancelled
   * with the prober; captures being judged are judged, and the writer stores what is queued
   * (within {@code wait}). Nothing is interrupted: the writer is inside JDBC. Results not stored by
   * then are dropped (the next run probes again).
   *
   * @return whether everything queued was stored within {@code wait}
   */
  boolean close(Duration wait) {
    closing = true;
    delays.shutdown();
    prober.close();
    revocations.shutdown();
    judges.shutdown();
    long deadline = System.nanoTime() + wait.toNanos();
    try {
      boolean judgedAll = judges.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
      writer.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      return judgedAll && !writer.isAlive()
          && delays.awaitTermination(Math.max(0, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(2));
  }
}
