package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.alert.AlertEvent;
import io.certkeeper.alert.AlertOutbox;
import io.certkeeper.config.Config;
import io.certkeeper.config.ConfigLoader;
import io.certkeeper.config.EndpointConfig;
import io.certkeeper.config.ProbeSchedule;
import io.certkeeper.schedule.EndpointScheduler;
import io.certkeeper.schedule.Scheduling;
import io.certkeeper.store.Store;
import io.certkeeper.testing.OpenSsl;
import io.certkeeper.testing.OpenSslServer;
import io.certkeeper.util.HostPort;
import io.certkeeper.util.Json;
import io.certkeeper.x509.Pem;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Human tables: a header line, columns as wide as their values, no Map.toString, no ISO-8601
 * durations, no negative day counts, timestamps in whole seconds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TablesTest {
  /** What none of the tables may show: Map.toString, Duration.toString, a negative count, sub-second times. */
  static final Pattern RAW = Pattern.compile("\\{[^}]*=[^}]*\\}|\\bPT\\d|-\\d+ days|\\d{2}:\\d{2}:\\d{2}\\.\\d+Z");

  @TempDir static Path dir;
  private OpenSslServer server;
  private Instant notAfter;

  @BeforeAll
  void serve() throws Exception {
    OpenSsl.selfSigned(dir, "leaf", "localhost", 30);
    notAfter = Pem.parseCertificates(Files.readAllBytes(dir.resolve("leaf.pem"))).get(0).getNotAfter().toInstant();
    server = OpenSslServer.start(dir, "-cert", dir.resolve("leaf.pem").toString(), "-key", dir.resolve("leaf.key").toString());
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private CliRunner.Run cli(Clock clock, String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--data-dir";
    all[1] = dir.resolve("data").toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return CliRunner.run(Map.of(), clock, all);
  }

  /** The column where {@code title} starts in the header must be where each row's cell of that column starts. */
  private static void assertAligned(String table, String title, List<String> cells) {
    List<String> lines = table.lines().toList();
    int at = lines.get(0).indexOf(title);
    assertTrue(at >= 0, "no header " + title + " in\n" + table);
    for (int i = 0; i < cells.size(); i++) {
      assertEquals(cells.get(i), lines.get(i + 1).substring(at, at + cells.get(i).length()), table);
      assertEquals(' ', lines.get(i + 1).charAt(at - 1), table);
    }
  }

  @Test
  void aTableHasAHeaderAndColumnsAsWideAsTheirWidestValue() {
    StringWriter s = new StringWriter();
    Table.of("NAME", "STATUS", "NOTE").row("a", "ok", "x").row("a-much-longer-name", null, "line\nbreak").print(new PrintWriter(s));
    assertEquals("""
        NAME                STATUS  NOTE
        a                   ok      x
        a-much-longer-name  -       line\\nbreak
        """, s.toString());
  }

  @Test
  void endpointListShowAndProbeSayHowLongAgoACertificateExpired() throws Exception {
    Clock later = Clock.fixed(notAfter.plus(Duration.ofDays(303)).plus(Duration.ofHours(1)), ZoneOffset.UTC);
    String target = "127.0.0.1:" + server.port();
    assertEquals(0, cli(later, "endpoint", "add", target, "--every", "1m", "--label", "env=prod", "--label", "team=web")
        .exitCode());
    assertEquals(0, cli(later, "endpoint", "add", "a-rather-long-name.example.com:8443", "--group", "web").exitCode());

    CliRunner.Run probe = cli(later, "probe", "--no-system-trust", "--ca-file", dir.resolve("leaf.pem").toString(), target);
    assertEquals(2, probe.exitCode(), probe.out() + probe.err());
    assertTrue(probe.out().startsWith("CRITICAL " + target + " (expired 303 days ago)\n"), probe.out());
    assertTrue(probe.out().contains("serves CN=localhost, expired 303 days ago over TLS"), probe.out());

    CliRunner.Run list = cli(later, "endpoint", "list");
    assertEquals(0, list.exitCode(), list.err());
    assertFalse(RAW.matcher(list.out()).find(), list.out());
    assertTrue(list.out().startsWith("ENDPOINT "), list.out());
    assertEquals(3, list.out().lines().count(), list.out());
    assertAligned(list.out(), "STATUS", List.of("expired", "pending"));
    assertAligned(list.out(), "SCHEDULE", List.of("every 1m", "every 5m"));
    assertAligned(list.out(), "EXPIRY", List.of("expired 303 days ago", "-"));
    assertAligned(list.out(), "GROUP", List.of("-", "web"));

    JsonNode json = Json.mapper().readTree(cli(later, "endpoint", "list", "--json").out());
    assertEquals(-304, json.get(0).get("daysLeft").asInt(), "daysLeft rounds down, as the prober's: " + json);

    CliRunner.Run show = cli(later, "endpoint", "show", target);
    assertFalse(RAW.matcher(show.out()).find(), show.out());
    assertTrue(show.out().contains("labels:     env=prod, team=web\n"), show.out());
    assertTrue(show.out().contains("(expired 303 days ago)"), show.out());

    CliRunner.Run history = cli(later, "endpoint", "history", target);
    assertFalse(RAW.matcher(history.out()).find(), history.out());
    assertTrue(history.out().contains("\nPROBED AT "), history.out());
  }

  @Test
  void listShowsWholeSecondTimesUnderAHeader() throws Exception {
    CliRunner.Run probe = cli(Clock.systemUTC(), "probe", "--no-system-trust", "--ca-file",
        dir.resolve("leaf.pem").toString(), "localhost:" + server.port());
    assertTrue(probe.out().contains("(expires in 29 days)") || probe.out().contains("(expires in 30 days)"), probe.out());
    CliRunner.Run list = cli(Clock.systemUTC(), "list");
    assertFalse(RAW.matcher(list.out()).find(), list.out());
    assertAligned(list.out(), "NOT AFTER", List.of(io.certkeeper.util.Timestamps.format(notAfter)));
  }

  @Test
  void scheduleIsATableAndItsJsonStateIsLowerCase() throws Exception {
    Path data = dir.resolve("sched");
    Clock clock = Clock.fixed(Instant.parse("2026-11-23T10:00:05.123456Z"), ZoneOffset.UTC);
    try (Store store = Store.openEmbedded(data, 2)) {
      Scheduling s = Scheduling.create(store, 1);
      EndpointScheduler es = new EndpointScheduler(s.scheduler(), clock);
      HostPort hp = HostPort.parse("a-rather-long-endpoint-name.example.com:443");
      EndpointConfig e = new EndpointConfig(hp.toString(), hp, Optional.empty(), Optional.empty(), Optional.empty(),
          List.of(), ProbeSchedule.every(Duration.ofMinutes(1)), EndpointConfig.DEFAULT_WARNING,
          EndpointConfig.DEFAULT_CRITICAL, EndpointConfig.DEFAULT_TIMEOUT, Map.of(), List.of(), Optional.empty());
      new io.certkeeper.store.EndpointRepository(store).syncConfig("node-a", List.of(new io.certkeeper.store.EndpointRow(e.id(),
          e.target().toString(), io.certkeeper.store.EndpointRow.CONFIG, e.group(),
          io.certkeeper.config.EndpointCodec.toJson(e), clock.instant(), clock.instant())), clock.instant());
      es.sync(List.of(e));
      es.schedulePeriodic(Duration.ofHours(1), Duration.ofMinutes(1));
      s.scheduler().shutdown(false);
    }
    CliRunner.Run table = CliRunner.run("--data-dir", data.toString(), "schedule");
    assertEquals(0, table.exitCode(), table.err());
    assertFalse(RAW.matcher(table.out()).find(), table.out());
    assertTrue(table.out().startsWith("KIND "), table.out());
    // the header, the probe slots of each partition, two periodic services and the endpoint
    assertEquals(1 + io.certkeeper.schedule.EndpointScheduler.PARTITIONS + 2 + 1, table.out().lines().count(),
        table.out());
    assertFalse(table.out().contains("NORMAL"), table.out());
    List<String> lines = table.out().lines().toList();
    int schedule = lines.get(0).indexOf("SCHEDULE");
    for (String l : lines.subList(1, lines.size())) {
      assertTrue(l.substring(schedule).startsWith("every "), table.out());
    }

    JsonNode json = Json.mapper().readTree(CliRunner.run("--data-dir", data.toString(), "schedule", "--json").out());
    for (JsonNode j : json) {
      assertEquals("normal", j.get("state").asText(), json.toString());
      assertTrue(j.get("nextRun").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), json.toString());
    }
  }

  @Test
  void alertsIsATableWithOneLinePerDelivery() throws Exception {
    Path conf = dir.resolve("alerts.yaml");
    Files.writeString(conf, "data-dir: alerts-data\nalerts:\n  recipients: [ops@example.com, a-much-longer-address@example.com]\n");
    Config config = ConfigLoader.load(conf);
    Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00.250Z"), ZoneOffset.UTC);
    try (Store store = Store.openEmbedded(dir.resolve("alerts-data"), 2)) {
      AlertOutbox outbox = AlertOutbox.create(config::alerts, clock);
      store.inTransaction(tx -> outbox.enqueue(tx, AlertEvent.renewalFailed("www", "ab".repeat(32), "CA locked",
          Optional.empty(), clock.instant().plusSeconds(86400), List.of())));
    }
    CliRunner.Run r = CliRunner.run(Map.of(), clock, "--config", conf.toString(), "alerts");
    assertEquals(0, r.exitCode(), r.err());
    assertFalse(RAW.matcher(r.out()).find(), r.out());
    assertEquals(3, r.out().lines().count(), "a header and one line per delivery:\n" + r.out());
    assertAligned(r.out(), "RECIPIENT", List.of("a-much-longer-address@example.com", "ops@example.com"));
    assertTrue(r.out().lines().skip(1).allMatch(l -> l.endsWith("due 2026-01-01T00:00:00Z")), r.out());
  }
}
