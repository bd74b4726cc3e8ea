package io.certkeeper.daemon;

import io.certkeeper.config.EndpointCodec;
import io.certkeeper.config.EndpointConfig;
import io.certkeeper.schedule.EndpointScheduler;
import io.certkeeper.store.EndpointRepository;
import io.certkeeper.store.EndpointRow;
import io.certkeeper.store.EndpointState;
import io.certkeeper.store.ProbeResultRepository;
import io.certkeeper.store.StoreException;
import io.certkeeper.schedule.ProbeDispatcher;
import io.certkeeper.schedule.StoredEndpoints;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the endpoint inventory and the probe schedules in line: config-declared endpoints into
 * the store (on start and reload), then every stored endpoint (declared or added with the CLI) into
 * Quartz.
 */
final class EndpointSync {
  private static final Logger log = LoggerFactory.getLogger(EndpointSync.class);

  private final EndpointRepository endpoints;
  private final ProbeResultRepository results;
  private final EndpointScheduler scheduler;
  private final Clock clock;
  /** A digest of the ids and change times of the endpoints last scheduled. */
  private String lastFingerprint = "";
  /** The endpoints declared in the configuration, by id: a stored endpoint equal to one is that object. */
  private Map<String, EndpointConfig> declared = Map.of();
  private List<EndpointConfig> current = List.of();
  private java.util.function.Consumer<List<EndpointConfig>> listener = all -> {};
  /** The node whose configuration {@link #fromConfig} declares. */
  private final String node;

  EndpointSync(String node, EndpointRepository endpoints, ProbeResultRepository results, EndpointScheduler scheduler,
      Clock clock) {
    this.node = node;
    this.endpoints = endpoints;
    this.results = results;
    this.scheduler = scheduler;
    this.clock = clock;
  }

  /** Called with every endpoint after each reschedule. */
  void onSchedules(java.util.function.Consumer<List<EndpointConfig>> listener) {
    this.listener = listener;
  }

  /** Stores the declared endpoints (removing undeclared config ones) and reschedules. */
  void fromConfig(List<EndpointConfig> declared) throws StoreException, SchedulerException {
    Map<String, EndpointConfig> byId = new HashMap<>();
    for (EndpointConfig e : declared) {
      byId.put(e.id(), e);
    }
    this.declared = byId;
    Instant now = clock.instant();
    List<EndpointRow> rows = new ArrayList<>();
    for (EndpointConfig e : declared) {
      rows.add(new EndpointRow(e.id(), e.target().toString(), EndpointRow.CONFIG, e.group(), EndpointCodec.toJson(e),
          now, now));
    }
    EndpointRepository.SyncResult r = endpoints.syncConfig(node, rows, now);
    if (r.changed()) {
      log.info("endpoints - from configuration: {} added, {} updated, {} removed", r.added().size(),
          r.updated().size(), r.removed().size());
    }
    schedules(true);
  }

  /**
   * Reschedules from the store when its endpoints changed since the last call (or always when
   * {@code force}).
   */
  List<EndpointConfig> schedules(boolean force) throws StoreException, SchedulerException {
    // ids and change times only: the heartbeat asks every 30 s, and the specs are read on a change
    java.security.MessageDigest digest = io.certkeeper.x509.Fingerprints.sha256Digest();
    for (Map.Entry<String, Instant> v : endpoints.versions().entrySet()) {
      digest.update((v.getKey() + '@' + v.getValue() + '\n').getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    String fingerprint = java.util.HexFormat.of().formatHex(digest.digest());
    if (force || !fingerprint.equals(lastFingerprint)) {
      List<EndpointRow> rows = endpoints.list();
      List<EndpointConfig> all = new ArrayList<>(rows.size());
      for (EndpointConfig e : StoredEndpoints.decode(rows, (id, why) -> log.error("{} - skipped: {}", id, why))) {
        // one object per endpoint, not one from the configuration and one from the store
        EndpointConfig same = declared.get(e.id());
        all.add(same != null && same.equals(e) ? same : e);
      }
      EndpointScheduler.Result r = scheduler.sync(all);
      lastFingerprint = fingerprint;
      listener.accept(all);
      log.info("schedules - {} endpoints: {} added, {} rescheduled, {} removed", all.size(), r.added(),
          r.rescheduled(), r.removed());
      current = all;
    }
    return current;
  }

  /**
   * Probes once, soon, every endpoint that missed its schedule while the daemon was down, at most
   * {@code perSecond} a second on top of the regular probes.
   */
  int catchUp(ProbeDispatcher dispatcher, int perSecond) throws StoreException, SchedulerException {
    schedules(false);
    Map<String, Instant> last = new HashMap<>();
    for (EndpointState s : results.states()) {
      last.put(s.endpointId(), s.lastProbeAt());
    }
    return scheduler.catchUp(last, dispatcher, perSecond);
  }
}
