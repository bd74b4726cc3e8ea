package io.certkeeper.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.config.EndpointConfig;
import io.certkeeper.config.ProbeSchedule;
import io.certkeeper.util.Jitter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ProbeCalendarTest {
  private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

  @Test
  void thePartitionsSplitTheDueProbesWithoutLossOrOverlap() {
    List<EndpointConfig> eps = EndpointSchedulerTest.endpoints(1000, ProbeSchedule.every(Duration.ofMinutes(1)));
    eps.add(EndpointSchedulerTest.endpoint("cron.example:443", ProbeSchedule.cron("0 * * * * ?")));
    ProbeCalendar cal = ProbeCalendar.of(eps);
    Instant to = NOW.plus(Duration.ofMinutes(2));
    List<ProbeCalendar.Due> union = new ArrayList<>();
    int used = 0;
    for (int k = 0; k < ProbeCalendar.PARTITIONS; k++) {
      List<ProbeCalendar.Due> part = cal.due(k, NOW, to);
      for (ProbeCalendar.Due d : part) {
        assertEquals(k, ProbeCalendar.partition(d.endpointId()), d.toString());
      }
      used += part.isEmpty() ? 0 : 1;
      union.addAll(part);
    }
    assertEquals(ProbeCalendar.PARTITIONS, used, "1,000 ids land in every partition");
    union.sort(java.util.Comparator.comparing(ProbeCalendar.Due::at).thenComparing(ProbeCalendar.Due::endpointId));
    List<ProbeCalendar.Due> all = new ArrayList<>(cal.due(NOW, to));
    all.sort(java.util.Comparator.comparing(ProbeCalendar.Due::at).thenComparing(ProbeCalendar.Due::endpointId));
    assertEquals(all, union);
    assertEquals(2002, all.size(), "two periods of 1,000, and two cron firings");
  }

  @Test
  void everyEndpointIsDueOncePerPeriodAtItsOwnPhase() {
    List<EndpointConfig> eps = EndpointSchedulerTest.endpoints(1000, ProbeSchedule.every(Duration.ofMinutes(5)));
    ProbeCalendar cal = ProbeCalendar.of(eps);
    List<ProbeCalendar.Due> due = cal.due(NOW, NOW.plus(Duration.ofMinutes(5)));
    assertEquals(1000, due.size());
    Map<String, Instant> at = new HashMap<>();
    for (ProbeCalendar.Due d : due) {
      at.put(d.endpointId(), d.at());
    }
    assertEquals(1000, at.size());
    for (EndpointConfig e : eps) {
      assertEquals(Jitter.nextSlot(e.id(), Duration.ofMinutes(5), NOW), at.get(e.id()));
      assertEquals(Optional.of(at.get(e.id())), cal.next(e.id(), NOW));
    }
    // earliest first, and spread: no 10-second stretch holds more than 3 % of them
    for (int i = 1; i < due.size(); i++) {
      assertTrue(!due.get(i).at().isBefore(due.get(i - 1).at()));
    }
    int[] buckets = new int[30];
    due.forEach(d -> buckets[(int) (Duration.between(NOW, d.at()).toSeconds() / 10)]++);
    for (int b : buckets) {
      assertTrue(b < 60, java.util.Arrays.toString(buckets));
    }
    // windows split anywhere add up to the same probes
    List<ProbeCalendar.Due> pieces = new ArrayList<>();
    Instant from = NOW;
    for (long ms : new long[] {1, 999, 4000, 37_123, 257_877}) {
      Instant to = from.plusMillis(ms);
      pieces.addAll(cal.due(from, to));
      from = to;
    }
    assertEquals(due, pieces);
  }

  @Test
  void cronEndpointsAreDueAtEachFiringPlusTheirSpread() {
    List<EndpointConfig> eps = EndpointSchedulerTest.endpoints(100, ProbeSchedule.cron("0 */10 * * * ?"));
    ProbeCalendar cal = ProbeCalendar.of(eps);
    List<ProbeCalendar.Due> due = cal.due(NOW.minusSeconds(10), NOW.plus(Duration.ofMinutes(20)).minusSeconds(10));
    assertEquals(200, due.size());
    for (ProbeCalendar.Due d : due) {
      Duration spread = Jitter.offset(d.endpointId(), ProbeCalendar.CRON_SPREAD);
      Instant fire = d.at().minus(spread);
      assertTrue(fire.equals(NOW) || fire.equals(NOW.plus(Duration.ofMinutes(10))), d.toString());
    }
    String id = eps.get(0).id();
    assertEquals(NOW.plus(Jitter.offset(id, ProbeCalendar.CRON_SPREAD)), cal.next(id, NOW).orElseThrow());
  }

  @ParameterizedTest
  @CsvSource({"every 5m", "every 1h", "cron 0 0 * * * ?", "cron 0 */10 * * * ?"})
  void missedWhenADueTimePassedAfterTheLastProbe(String schedule) {
    ProbeSchedule s = schedule.startsWith("every ")
        ? ProbeSchedule.every(io.certkeeper.util.Durations.parse(schedule.substring(6)))
        : ProbeSchedule.cron(schedule.substring(5));
    EndpointConfig e = EndpointSchedulerTest.endpoint("a.example:443", s);
    ProbeCalendar cal = ProbeCalendar.of(List.of(e));
    // the due time before now, found by walking back from one a day earlier
    Instant due = cal.next(e.id(), NOW.minus(Duration.ofDays(1))).orElseThrow();
    for (Instant n = due; n.isBefore(NOW); n = cal.next(e.id(), n.plusMillis(1)).orElseThrow()) {
      due = n;
    }
    // probed (the probe records its time after its handshake) just after it: nothing missed
    assertTrue(!cal.missed(e.id(), Optional.of(due.plusMillis(300)), NOW));
    // last probed before it: that due time was missed
    assertTrue(cal.missed(e.id(), Optional.of(due.minusMillis(300)), NOW));
    assertTrue(cal.missed(e.id(), Optional.of(NOW.minus(Duration.ofDays(3))), NOW));
    assertTrue(cal.missed(e.id(), Optional.empty(), NOW));
    assertTrue(!cal.missed("unknown", Optional.empty(), NOW));
  }
}
