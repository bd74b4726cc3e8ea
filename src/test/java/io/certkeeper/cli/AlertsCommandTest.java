package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.certkeeper.alert.AlertEvent;
import io.certkeeper.alert.AlertOutbox;
import io.certkeeper.config.Config;
import io.certkeeper.config.ConfigLoader;
import io.certkeeper.store.Store;
import io.certkeeper.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertsCommandTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  @Test
  void aSentDeliveryNamesTheNodeThatSentIt() {
    io.certkeeper.store.LedgerEntry e = new io.certkeeper.store.LedgerEntry(1, 1, "endpoint:x:443", "failing", "",
        "critical", "t", "ops@example.test", "none", "sent", 1, CLOCK.instant(), null, CLOCK.instant(), "<m@x>", null,
        null, "web1/pid-42-0a1b2c3d");
    assertEquals("sent 2026-01-01T00:00:00Z by web1", AlertsCommand.delivery(e));
    io.certkeeper.store.LedgerEntry older = new io.certkeeper.store.LedgerEntry(1, 1, "endpoint:x:443", "failing", "",
        "critical", "t", "ops@example.test", "none", "sent", 1, CLOCK.instant(), null, CLOCK.instant(), "<m@x>", null,
        null, null);
    assertEquals("sent 2026-01-01T00:00:00Z", AlertsCommand.delivery(older), "sent before nodes had names");
  }

  @Test
  void alertsListsTheLedgerAndStatusCountsIt() throws Exception {
    Path conf = dir.resolve("c.yaml");
    Files.writeString(conf, "data-dir: data\nalerts:\n  recipients: [ops@example.com]\n");
    Config config = ConfigLoader.load(conf);
    try (Store store = Store.openEmbedded(dir.resolve("data"), 2)) {
      AlertOutbox outbox = AlertOutbox.create(config::alerts, CLOCK);
      store.inTransaction(tx -> outbox.enqueue(tx, AlertEvent.renewalFailed("www", "ab".repeat(32), "CA locked",
          Optional.empty(), CLOCK.instant().plusSeconds(86400), List.of())));
    }
    CliRunner.Run r = CliRunner.run(Map.of(), CLOCK, "--config", conf.toString(), "alerts", "--pending", "--json");
    assertEquals(0, r.exitCode(), r.err());
    JsonNode rows = Json.mapper().readTree(r.out());
    assertEquals(1, rows.size());
    assertEquals("ops@example.com", rows.get(0).get("recipient").asText());
    assertEquals("pending", rows.get(0).get("status").asText());
    assertEquals("renewal_failed", rows.get(0).get("kind").asText());

    CliRunner.Run none = CliRunner.run(Map.of(), CLOCK, "--config", conf.toString(), "alerts", "--failed");
    assertEquals("no alerts\n", none.out());

    CliRunner.Run status = CliRunner.run(Map.of(), CLOCK, "--config", conf.toString(), "status", "--json");
    assertEquals(0, status.exitCode(), status.err());
    JsonNode alerts = Json.mapper().readTree(status.out()).get("alerts");
    assertEquals(1, alerts.get("pending").asInt());
    assertEquals(0, alerts.get("failed").asInt());
    assertTrue(alerts.get("lastError").isNull());
  }

  @Test
  void mailTestSendsAndPrintsTheServersAnswer() throws Exception {
    GreenMail mail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    mail.start();
    try {
      Path conf = dir.resolve("c.yaml");
      Files.writeString(conf, "smtp:\n  host: 127.0.0.1\n  port: " + mail.getSmtp().getPort()
          + "\n  security: none\n  from: certkeeper@example.com\n");
      CliRunner.Run r = CliRunner.run(Map.of(), CLOCK, "--config", conf.toString(), "mail", "test", "--to",
          "ops@example.com");
      assertEquals(0, r.exitCode(), r.err());
      assertTrue(r.out().contains("smtp: accepted: 250"), r.out());
      assertEquals(1, mail.getReceivedMessages().length);
      assertEquals("[certkeeper] INFO test message", mail.getReceivedMessages()[0].getSubject());
    } finally {
      mail.stop();
    }
  }

  @Test
  void mailTestWithoutSmtpIsAOneLineError() throws Exception {
    Path conf = dir.resolve("c.yaml");
    Files.writeString(conf, "log:\n  level: info\n");
    CliRunner.Run r = CliRunner.run(Map.of(), CLOCK, "--config", conf.toString(), "mail", "test", "--to", "a@b.c");
    assertEquals(ExitCodes.USAGE, r.exitCode());
    assertEquals("certkeeper: mail test: smtp is not configured (set smtp.host and smtp.from)\n", r.err());
  }

  @Test
  void alertAndSmtpMistakesNameFileLineAndKey() throws Exception {
    Path conf = dir.resolve("c.yaml");
    Files.writeString(conf, "alerts:\n  routes:\n    - severity: critcal\n      to: [a@b.c]\n");
    CliRunner.Run r = CliRunner.run("--config", conf.toString(), "config", "check");
    assertEquals(ExitCodes.CONFIG, r.exitCode());
    assertTrue(r.err().startsWith("certkeeper: " + conf + ":3: "), r.err());
    assertTrue(r.err().contains("did you mean 'critical'?"), r.err());
    Files.writeString(conf, "smtp:\n  host: mail.example.com\n  user: alice\n  password: env:PW\n");
    CliRunner.Run s = CliRunner.run("--config", conf.toString(), "config", "check");
    assertEquals(ExitCodes.CONFIG, s.exitCode());
    assertTrue(s.err().contains("missing required key 'from'"), s.err());
  }
}
