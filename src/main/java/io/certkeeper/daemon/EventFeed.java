package io.certkeeper.daemon;

import io.certkeeper.serve.EventStream;
import io.certkeeper.store.ManagedCertificateRepository;
import io.certkeeper.store.ManagedState;
import io.certkeeper.store.ProbeResultRepository;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import io.certkeeper.util.Json;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's live events ({@code GET /api/v1/events}): new probe results ({@code probe}) and
 * new generations of managed certificates ({@code renewal}), from whichever process or node wrote
 * them, read from the store once a second while at least one stream is open. At most {@value
 * #MAX_STREAMS} streams at once; each gets a heartbeat every {@link #HEARTBEAT} and is ended after
 * {@link #MAX_AGE} (the page reconnects), so none is held forever.
 */
final class EventFeed implements AutoCloseable {
  static final int MAX_STREAMS = 32;
  static final Duration POLL = Duration.ofSeconds(1);
  static final Duration HEARTBEAT = Duration.ofSeconds(15);
  static final Duration MAX_AGE = Duration.ofHours(1);
  /** Results sent per poll at most; a burst beyond it is summed up as one {@code probes} event. */
  static final int MAX_RESULTS = 500;

  private static final Logger log = LoggerFactory.getLogger(EventFeed.class);

  private record Stream(EventStream.Sink sink, Instant opened) {}

  private final String listener;
  private final Store store;
  private final Clock clock;
  private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService poller;
  /** Poller state (its thread only): where the results left off, and the serials last seen. */
  private long lastResult = -1;
  private Map<String, String> serials = new HashMap<>();
  private Instant lastBeat;
  private String lastFailure;

  EventFeed(String listener, Store store, Clock clock) {
    this.listener = listener;
    this.store = store;
    this.clock = clock;
    this.lastBeat = clock.instant();
    this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "certkeeper-" + listener + "-events");
      t.setDaemon(true);
      return t;
    });
    poller.scheduleWithFixedDelay(this::poll, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether one more stream may open. */
  boolean hasRoom() {
    return streams.size() < MAX_STREAMS;
  }

  /** Starts sending to {@code sink}; closes it at once when the feed is full. */
  void subscribe(EventStream.Sink sink) {
    if (!hasRoom()) {
      sink.close();
      return;
    }
    Stream s = new Stream(sink, clock.instant());
    streams.add(s);
    sink.onClose(() -> streams.remove(s));
    sink.send("hello", "{\"at\": \"" + clock.instant() + "\"}");
  }

  private void poll() {
    if (streams.isEmpty()) {
      lastResult = -1; // start afresh with the next stream: no backlog of what nobody watched
      return;
    }
    try {
      ProbeResultRepository results = new ProbeResultRepository(store);
      List<ManagedState> managed = ManagedCertificateRepository.everyNode(store);
      Map<String, String> now = new HashMap<>();
      for (ManagedState m : managed) {
        now.put(m.node() + "\u0000" + m.name(), m.serial());
      }
      if (lastResult < 0) {
        lastResult = results.newestResultId();
        serials = now;
      } else {
        List<ProbeResultRepository.ProbeSeen> seen = results.resultsAfter(lastResult, MAX_RESULTS + 1);
        if (seen.size() > MAX_RESULTS) {
          broadcast("probes", Map.of("count", seen.size()));
          lastResult = results.newestResultId();
        } else {
          for (ProbeResultRepository.ProbeSeen p : seen) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("endpoint", p.endpoint());
            e.put("status", p.status());
            e.put("at", p.probedAt().toString());
            e.put("sha256", p.leafSha256());
            broadcast("probe", e);
            lastResult = Math.max(lastResult, p.id());
          }
        }
        for (ManagedState m : managed) {
          String key = m.node() + "\u0000" + m.name();
          if (!m.serial().equals(serials.get(key))) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("node", m.node());
            e.put("name", m.name());
            e.put("serial", m.serial());
            e.put("sha256", m.sha256());
            e.put("generation", m.generation());
            broadcast("renewal", e);
          }
        }
        serials = now;
      }
      lastFailure = null;
    } catch (StoreException | RuntimeException e) {
      String why = io.certkeeper.util.ErrorText.of(e);
      if (!why.equals(lastFailure)) {
        log.warn("{} - live events: cannot read the store: {}", listener, why);
        lastFailure = why;
      }
    }
    Instant t = clock.instant();
    if (!t.isBefore(lastBeat.plus(HEARTBEAT))) {
      lastBeat = t;
      for (Stream s : streams) {
        if (!t.isBefore(s.opened().plus(MAX_AGE))) {
          s.sink().close();
        } else {
          s.sink().comment("ping");
        }
      }
    }
  }

  private void broadcast(String event, Map<String, Object> data) {
    String json;
    try {
      json = Json.mapper().writeValueAsString(data);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    for (Stream s : streams) {
      s.sink().send(event, json);
    }
  }

  /** Ends every stream; the poller finishes its round (never interrupted: it may be inside the store). */
  @Override
  public void close() {
    poller.shutdown();
    for (Stream s : streams) {
      s.sink().close();
    }
  }
}
