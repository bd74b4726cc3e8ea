package io.certkeeper.schedule;

import io.certkeeper.config.EndpointConfig;
import io.certkeeper.config.ProbeSchedule;
import io.certkeeper.util.Jitter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;
import org.quartz.CronExpression;

/**
 * When each endpoint is due, as a pure function of its id and schedule: an {@code every: P}
 * endpoint is due at {@code epoch + offset + k × P}, its offset fixed by its id ({@link Jitter}),
 * so endpoints spread evenly over the period and keep their phase across restarts and nodes; a
 * {@code cron:} endpoint is due at each firing plus its own spread of up to {@link #CRON_SPREAD}.
 *
 * <p>Immutable: a new calendar replaces the old one after every change of the endpoint list.
 * Nothing here is stored; the due times are computed, so the schedule of 100,000 endpoints costs
 * an array, not 100,000 rows in the job store.
 */
public final class ProbeCalendar {
  /** Cron-scheduled endpoints are spread over at most this much after each firing. */
  public static final Duration CRON_SPREAD = Duration.ofSeconds(30);

  /** One probe due at one instant. */
  public record Due(String endpointId, Instant at) {}

  private record Entry(String id, ProbeSchedule schedule, long periodMs, long offsetMs) {}

  /** Partitions of the endpoints: each has a probe-slot job of its own ({@link EndpointScheduler}). */
  public static final int PARTITIONS = 8;

  private final Map<String, Entry> byId;
  /** The {@code every:} endpoints, by partition ({@link #partition}). */
  private final Entry[][] periodic;
  /** The cron endpoints by expression: many endpoints usually share one. */
  private final Map<String, List<Entry>> byCron;

  private ProbeCalendar(Map<String, Entry> byId, Entry[][] periodic, Map<String, List<Entry>> byCron) {
    this.byId = byId;
    this.periodic = periodic;
    this.byCron = byCron;
  }

  /** A calendar with no endpoints. */
  public static ProbeCalendar empty() {
    return of(List.of());
  }

  public static ProbeCalendar of(Collection<EndpointConfig> endpoints) {
    Map<String, Entry> byId = new LinkedHashMap<>();
    List<List<Entry>> periodic = new ArrayList<>();
    for (int k = 0; k < PARTITIONS; k++) {
      periodic.add(new ArrayList<>());
    }
    Map<String, List<Entry>> byCron = new HashMap<>();
    for (EndpointConfig e : endpoints) {
      ProbeSchedule s = e.schedule();
      Entry entry;
      if (s.every().isPresent()) {
        Duration p = s.every().get();
        entry = new Entry(e.id(), s, p.toMillis(), Jitter.offset(e.id(), p).toMillis());
        periodic.get(partition(e.id())).add(entry);
      } else {
        entry = new Entry(e.id(), s, 0, Jitter.offset(e.id(), CRON_SPREAD).toMillis());
        byCron.computeIfAbsent(s.cron().get(), k -> new ArrayList<>()).add(entry);
      }
      byId.put(e.id(), entry);
    }
    Entry[][] byPartition = new Entry[PARTITIONS][];
    for (int k = 0; k < PARTITIONS; k++) {
      byPartition[k] = periodic.get(k).toArray(new Entry[0]);
    }
    return new ProbeCalendar(byId, byPartition, byCron);
  }

  /** The partition of endpoint {@code id}: the same in every JVM ({@link String#hashCode} is specified). */
  public static int partition(String id) {
    return Math.floorMod(id.hashCode(), PARTITIONS);
  }

  /** The number of endpoints. */
  public int size() {
    return byId.size();
  }

  /** The schedule of each endpoint, by id. */
  public Map<String, ProbeSchedule> schedules() {
    Map<String, ProbeSchedule> out = new HashMap<>();
    byId.forEach((id, e) -> out.put(id, e.schedule()));
    return out;
  }

  /**
   * Every probe due in {@code [from, to)}, earliest first. An endpoint whose period is shorter than
   * the window is due more than once.
   */
  public List<Due> due(Instant from, Instant to) {
    return due(-1, from, to);
  }

  /** As {@link #due(Instant, Instant)}, for the endpoints of one partition only ({@link #partition}). */
  public List<Due> due(int partition, Instant from, Instant to) {
    long f = from.toEpochMilli();
    long t = to.toEpochMilli();
    List<Due> out = new ArrayList<>();
    if (t <= f) {
      return out;
    }
    for (int k = 0; k < PARTITIONS; k++) {
      if (partition >= 0 && k != partition) {
        continue;
      }
      for (Entry e : periodic[k]) {
        for (long at = firstAtOrAfter(e.periodMs, e.offsetMs, f); at < t; at += e.periodMs) {
          out.add(new Due(e.id, Instant.ofEpochMilli(at)));
        }
      }
    }
    long spread = CRON_SPREAD.toMillis();
    for (Map.Entry<String, List<Entry>> c : byCron.entrySet()) {
      CronExpression cron = cron(c.getKey());
      if (cron == null) {
        continue;
      }
      // firings from one spread before the window can still be due inside it
      Date fire = cron.getNextValidTimeAfter(new Date(f - spread - 1));
      while (fire != null && fire.getTime() < t) {
        for (Entry e : c.getValue()) {
          long at = fire.getTime() + e.offsetMs;
          if (at >= f && at < t && (partition < 0 || partition(e.id) == partition)) {
            out.add(new Due(e.id, Instant.ofEpochMilli(at)));
          }
        }
        fire = cron.getNextValidTimeAfter(fire);
      }
    }
    out.sort(Comparator.comparing(Due::at));
    return out;
  }

  /** The first instant at or after {@code at} when {@code endpointId} is due; empty if unknown. */
  public Optional<Instant> next(String endpointId, Instant at) {
    Entry e = byId.get(endpointId);
    return e == null ? Optional.empty() : nextOf(e, at);
  }

  /**
   * Whether an endpoint last probed at {@code last} (never, when empty) missed a due time before
   * {@code now}: a probe records its time after its handshake, so the probe of a due time is
   * always later than that due time.
   */
  public boolean missed(String endpointId, Optional<Instant> last, Instant now) {
    Entry e = byId.get(endpointId);
    if (e == null) {
      return false;
    }
    if (last.isEmpty()) {
      return true;
    }
    Optional<Instant> after = nextOf(e, last.get().plusMillis(1));
    return after.isPresent() && after.get().isBefore(now);
  }

  /** The first due instant at or after {@code at} of one schedule, for one endpoint id. */
  public static Optional<Instant> next(String endpointId, ProbeSchedule schedule, Instant at) {
    return nextOf(entry(endpointId, schedule), at);
  }

  private static Entry entry(String id, ProbeSchedule s) {
    return s.every().isPresent()
        ? new Entry(id, s, s.every().get().toMillis(), Jitter.offset(id, s.every().get()).toMillis())
        : new Entry(id, s, 0, Jitter.offset(id, CRON_SPREAD).toMillis());
  }

  private static Optional<Instant> nextOf(Entry e, Instant at) {
    long a = at.toEpochMilli();
    if (e.periodMs > 0) {
      return Optional.of(Instant.ofEpochMilli(firstAtOrAfter(e.periodMs, e.offsetMs, a)));
    }
    CronExpression cron = cron(e.schedule.cron().get());
    if (cron == null) {
      return Optional.empty();
    }
    Date fire = cron.getNextValidTimeAfter(new Date(a - e.offsetMs - 1));
    return fire == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(fire.getTime() + e.offsetMs));
  }

  private static long firstAtOrAfter(long period, long offset, long at) {
    long k = Math.floorDiv(at - offset + period - 1, period);
    return k * period + offset;
  }

  private static CronExpression cron(String expression) {
    try {
      CronExpression c = new CronExpression(expression);
      c.setTimeZone(TimeZone.getTimeZone("UTC"));
      return c;
    } catch (java.text.ParseException e) {
      return null; // ProbeSchedule refuses invalid expressions; nothing is due on one
    }
  }
}
