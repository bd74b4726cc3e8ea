package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.config.CertificateConfig;
import io.certkeeper.store.DaemonRunRepository;
import io.certkeeper.store.ProbeRecord;
import io.certkeeper.store.ProbeResultRepository;
import io.certkeeper.store.Store;
import io.certkeeper.testing.TestClock;
import io.certkeeper.util.Json;
import io.certkeeper.x509.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code status}, {@code explain} and {@code renew} on managed certificates, in-process with a clock
 * the test moves: the renewal state instead of {@code expiring}, the default renewal point said
 * alike everywhere, a refused renewal in one line, and the daemon's record shown while the
 * configuration file does not load.
 */
class ManagedStatusTest {
  static final Map<String, String> ENV = Map.of("CA_PASS", "a long enough CA passphrase");
  static final Pattern MILLIS = Pattern.compile("\\d\\.\\d{3}Z|\\d+ms");

  @TempDir Path dir;
  final TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));

  @AfterEach
  void closeStores() throws Exception {
    InProcessStores.shutDownAll(dir);
  }

  Path config(String certificates) throws Exception {
    Path f = dir.resolve("certkeeper.yaml");
    Files.writeString(f, "ca:\n  passphrase: env:CA_PASS\ncertificates:\n" + certificates);
    return f;
  }

  CliRunner.Run cli(String... args) {
    List<String> all = new ArrayList<>(List.of("--config", dir.resolve("certkeeper.yaml").toString(),
        "--data-dir", dir.resolve("data").toString()));
    all.addAll(List.of(args));
    return CliRunner.run(ENV, clock, all.toArray(new String[0]));
  }

  static final String WEB = "  - name: web\n    common-name: localhost\n    validity: 30d\n";

  @Test
  void explainSaysTheDefaultRenewalPointAsTheSampleConfigurationAndTheReadmeDo() throws Exception {
    config(WEB);
    CliRunner.Run r = cli("explain", "web");
    assertEquals(0, r.exitCode(), r.err());
    String said = "renew-at " + CertificateConfig.DEFAULT_RENEW_AT_TEXT + " of the lifetime (default)";
    assertTrue(r.out().contains("policy:        " + said + "\n"), r.out());

    // the sample configuration and README say the same default, and no rounded percentage for it
    String sample = Files.readString(Path.of("etc/certkeeper/certkeeper.yaml"));
    assertTrue(sample.contains("(default: " + CertificateConfig.DEFAULT_RENEW_AT_TEXT + ")"), "sample");
    String readme = Files.readString(Path.of("README.md"));
    assertTrue(readme.contains("| `certificates[].renew-at` | " + CertificateConfig.DEFAULT_RENEW_AT_TEXT + " |"),
        "README's configuration table");
    assertTrue(readme.contains("(default: " + CertificateConfig.DEFAULT_RENEW_AT_TEXT + ")"), "README's When");
    for (String text : List.of(sample, readme)) {
      assertFalse(text.contains("default 66%") || text.contains("default 67%") || text.contains("`66%`"), text.substring(0, 40));
    }
  }

  /** Issues web through the CLI; returns its leaf. */
  X509Certificate issue() throws Exception {
    CliRunner.Run init = cli("ca", "init", "--name", "Test CA");
    assertEquals(0, init.exitCode(), init.err());
    CliRunner.Run renew = cli("renew", "web");
    assertEquals(0, renew.exitCode(), renew.err());
    return Pem.readCertificates(dir.resolve("data/managed/web/current/cert.pem")).get(0);
  }

  /** A probe result for {@code endpoint} as the prober alone records it: {@code expiring} within 30 days. */
  void probed(String endpoint, X509Certificate leaf) throws Exception {
    try (Store store = Store.openEmbedded(dir.resolve("data"), 2)) {
      new ProbeResultRepository(store).record(new ProbeRecord(endpoint, clock.instant(), "expiring",
          List.of("expiring"), "expires in 29 days", Optional.of("127.0.0.1"), Optional.of("TLSv1.3"),
          Optional.empty(), List.of(leaf), true, Optional.of(leaf.getNotAfter().toInstant()), "none",
          Optional.of(1L), Optional.of(1L), 2));
    }
  }

  @Test
  void aManagedCertificateIsNotExpiringWhileItsRenewalIsAheadAndRenewalOverdueAfter() throws Exception {
    config(WEB);
    X509Certificate leaf = issue();
    assertEquals(0, cli("endpoint", "add", "127.0.0.1:8443").exitCode());
    probed("127.0.0.1:8443", leaf);

    JsonNode fresh = Json.mapper().readTree(cli("status", "--json").out());
    assertEquals("ok", fresh.at("/endpoints/0/status").asText(), fresh.toString());
    assertEquals(0, fresh.at("/endpoints/0/problems").size(), fresh.toString());
    assertEquals("waiting", fresh.at("/managed/0/state").asText());
    CliRunner.Run human = cli("status");
    assertFalse(human.out().contains("expiring,"), human.out());

    JsonNode explained = Json.mapper().readTree(cli("explain", "web", "--json").out());
    Instant overdueAt = Instant.parse(explained.at("/overdueAt").asText());
    Instant renewAt = Instant.parse(explained.at("/renewAt").asText());
    assertEquals(Duration.ofDays(1), Duration.between(renewAt, overdueAt));

    clock.set(overdueAt);
    JsonNode late = Json.mapper().readTree(cli("status", "--json").out());
    assertEquals("renewal_overdue", late.at("/endpoints/0/status").asText(), late.toString());
    assertEquals("[\"renewal_overdue\"]", late.at("/endpoints/0/problems").toString());
    assertEquals("overdue", late.at("/managed/0/state").asText());
    CliRunner.Run lateHuman = cli("status");
    assertTrue(lateHuman.out().contains("renewal overdue since " + overdueAt), lateHuman.out());
    CliRunner.Run lateExplain = cli("explain", "web");
    assertTrue(lateExplain.out().startsWith("web: overdue\n"), lateExplain.out());
    assertTrue(lateExplain.out().contains("overdue from:  " + overdueAt + " (overdue now"), lateExplain.out());
    assertFalse(MILLIS.matcher(lateHuman.out() + lateExplain.out()).find(), lateHuman.out() + lateExplain.out());
  }

  @Test
  void aRefusedRenewalIsOneLineWithWholeUnits() throws Exception {
    config(WEB);
    issue();
    clock.advance(Duration.ofMinutes(12).plusSeconds(5).plusMillis(321));
    CliRunner.Run refused = cli("renew", "web");
    assertEquals(ExitCodes.USAGE, refused.exitCode());
    assertEquals("", refused.out());
    assertEquals("certkeeper: web not renewed: renewed 12m 5s ago; at most one renewal per 1h; --force renews anyway\n",
        refused.err());
    CliRunner.Run json = cli("renew", "web", "--json");
    assertEquals("refused", Json.mapper().readTree(json.out()).at("/kind").asText(), json.out());
  }

  @Test
  void aFailedRenewalIsSaidOnceByTheCommandNotAlsoLoggedAsAnError() throws Exception {
    config(WEB);
    issue();
    // the CA now refuses the name: the renewal fails
    Files.writeString(dir.resolve("certkeeper.yaml"), "ca:\n  passphrase: env:CA_PASS\n  policy:\n"
        + "    allowed-names: [\"*.other.test\"]\ncertificates:\n" + WEB);
    ch.qos.logback.classic.Logger renewerLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
        io.certkeeper.renew.Renewer.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
        new ch.qos.logback.core.read.ListAppender<>();
    logged.start();
    renewerLog.addAppender(logged);
    ch.qos.logback.classic.Level before = renewerLog.getLevel();
    renewerLog.setLevel(ch.qos.logback.classic.Level.INFO); // what --verbose would show
    CliRunner.Run failed;
    try {
      failed = cli("renew", "web", "--force");
    } finally {
      renewerLog.setLevel(before);
      renewerLog.detachAppender(logged);
    }
    assertEquals(ExitCodes.USAGE, failed.exitCode());
    assertEquals(1, failed.err().lines().count(), failed.err());
    assertTrue(failed.err().startsWith("certkeeper: web renewal failed: "), failed.err());
    assertTrue(logged.list.stream().noneMatch(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN)),
        logged.list.toString());
    assertTrue(logged.list.stream().anyMatch(e -> e.getFormattedMessage().startsWith("web - renewal failed (attempt 1)")),
        "still there for --verbose: " + logged.list);
  }

  @Test
  void statusShowsTheDaemonsRejectedReloadWhenTheConfigurationNoLongerLoads() throws Exception {
    Path cfg = config(WEB);
    assertEquals(0, cli("status").exitCode());
    try (Store store = Store.openEmbedded(dir.resolve("data"), 2)) {
      DaemonRunRepository runs = new DaemonRunRepository(store);
      long id = runs.started("elsewhere", "elsewhere", 4242, "0.1.0", Optional.of(cfg.toString()), clock.instant());
      runs.reloaded(id, clock.instant(), Optional.of(cfg + ":4: unknown key 'pool-sise' in store"));
    }
    Files.writeString(cfg, "log:\n  level: info\nstore:\n  pool-sise: 3\n");

    CliRunner.Run human = cli("status");
    assertEquals(ExitCodes.CONFIG, human.exitCode(), human.err());
    List<String> lines = human.out().lines().toList();
    int daemon = lines.indexOf(lines.stream().filter(l -> l.startsWith("daemon:")).findFirst().orElseThrow());
    assertTrue(lines.get(daemon + 1).contains("rejected: " + cfg + ":4: unknown key 'pool-sise' in store"),
        human.out());
    assertEquals("config:       does not load: " + cfg + ":4: unknown key 'pool-sise' in store (did you mean"
        + " 'pool-size'?)", lines.get(daemon + 2));
    assertTrue(lines.get(daemon + 3).contains("this is the store in " + dir.resolve("data")), human.out());

    CliRunner.Run json = cli("status", "--json");
    assertEquals(ExitCodes.CONFIG, json.exitCode());
    JsonNode doc = Json.mapper().readTree(json.out());
    assertTrue(doc.at("/daemon/lastReloadError").asText().contains("pool-sise"), doc.toString());
    assertTrue(doc.at("/configError").asText().startsWith(cfg + ":4: unknown key 'pool-sise'"), doc.toString());

    // no store in the data directory: nothing to show but the error
    CliRunner.Run none = CliRunner.run(Map.of(), clock, "--config", cfg.toString(), "--data-dir",
        dir.resolve("empty").toString(), "status");
    assertEquals(ExitCodes.CONFIG, none.exitCode());
    assertEquals("", none.out());
    assertEquals(1, none.err().lines().count(), none.err());
    assertFalse(Files.exists(dir.resolve("empty")), "no store created for a broken configuration");
  }
}
