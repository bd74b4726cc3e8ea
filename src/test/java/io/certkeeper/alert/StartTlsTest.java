package io.certkeeper.alert;

import io.certkeeper.store.LedgerEntry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.certkeeper.config.SmtpConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** STARTTLS with a server certificate from our own test CA, in front of GreenMail, which checks the password. */
class StartTlsTest {
  @TempDir Path dir;
  AlertFixture f;
  GreenMail mail;
  SmtpFront front;
  Path caFile;

  @BeforeEach
  void open() throws Exception {
    f = new AlertFixture(dir, "alerts:\n  recipients: [ops@example.com]\n");
    mail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
        .withConfiguration(GreenMailConfiguration.aConfig().withUser("alice@example.com", "alice", "s3cret"));
    mail.start();
    TestPki.Issued ca = TestPki.root("certkeeper test CA");
    front = SmtpFront.startTls(TestPki.serverContext(TestPki.server(ca), ca), mail.getSmtp().getPort());
    caFile = TestPki.writePem(dir.resolve("ca.pem"), ca.cert());
  }

  @AfterEach
  void close() throws Exception {
    front.close();
    mail.stop();
    f.close();
  }

  private void enqueue(String detail) throws Exception {
    AlertOutbox outbox = AlertOutbox.create(f::alerts, f.clock);
    AlertEvent e = new AlertEvent("endpoint:api.example.com:443", AlertKind.PROBLEM, detail, Optional.empty(),
        Severity.CRITICAL, "api.example.com:443 new problem: " + detail,
        new AlertFacts("w", "api.example.com:443", "now", "fix", List.of()), List.of(), false);
    f.store.inTransaction(tx -> outbox.enqueue(tx, e));
  }

  @Test
  void deliversOverStartTlsVerifiedAgainstTheConfiguredCa() throws Exception {
    enqueue("untrusted_root");
    AlertSender sender = AlertSender.create(f.store,
        () -> AlertFixture.startTlsSmtp(front.port(), "s3cret", List.of(caFile)), f.clock, "test-node");
    assertEquals(new AlertSender.Round(1, 0, 0, false), sender.runOnce());
    assertEquals(1, mail.getReceivedMessages().length);

    MailTransport.TestResult r = MailTransport.forConfig(AlertFixture.startTlsSmtp(front.port(), "s3cret",
        List.of(caFile))).sendTest("ops@example.com", f.clock.instant());
    assertTrue(r.encrypted());
    assertTrue(r.reply().startsWith("250"), r.reply());
    assertEquals(2, mail.getReceivedMessages().length);
  }

  @Test
  void aWrongPasswordFailsOneDeliveryClearlyAndPausesTheSender() throws Exception {
    enqueue("untrusted_root");
    enqueue("hostname_mismatch");
    AtomicReference<SmtpConfig> smtp =
        new AtomicReference<>(AlertFixture.startTlsSmtp(front.port(), "wrong", List.of(caFile)));
    AlertSender sender = AlertSender.create(f.store, smtp::get, f.clock, "test-node");
    assertEquals(new AlertSender.Round(0, 0, 1, true), sender.runOnce());
    AlertLedger ledger = new AlertLedger(f.store);
    LedgerEntry failed = ledger.list(List.of("failed"), 10).get(0);
    assertTrue(failed.lastError().startsWith("127.0.0.1:" + front.port() + ": authentication failed"),
        failed.lastError());
    LedgerEntry waiting = ledger.list(List.of("pending"), 10).get(0);
    assertEquals(0, waiting.attempts(), "the others were not tried with the bad password");

    int connections = front.connections.get();
    for (int i = 0; i < 5; i++) {
      f.clock.advance(Duration.ofMinutes(5));
      assertEquals(new AlertSender.Round(0, 0, 0, true), sender.runOnce());
    }
    assertEquals(connections, front.connections.get(), "no retry storm: no connection while paused");

    smtp.set(AlertFixture.startTlsSmtp(front.port(), "s3cret", List.of(caFile)));
    assertEquals(1, sender.runOnce().sent(), "a corrected configuration resumes delivery");
    assertEquals(1, ledger.retryFailed(f.clock.instant()));
    assertEquals(1, sender.runOnce().sent());
    assertEquals(2, mail.getReceivedMessages().length);
  }

  @Test
  void aServerCertificateFromAnotherCaIsRefusedAndRetriedLater() throws Exception {
    enqueue("untrusted_root");
    Path otherCa = TestPki.writePem(dir.resolve("other.pem"), TestPki.root("someone else").cert());
    AlertSender sender = AlertSender.create(f.store,
        () -> AlertFixture.startTlsSmtp(front.port(), "s3cret", List.of(otherCa)), f.clock, "test-node");
    assertEquals(new AlertSender.Round(0, 1, 0, false), sender.runOnce());
    LedgerEntry e = new AlertLedger(f.store).list(List.of("pending"), 10).get(0);
    assertTrue(e.lastError().contains("TLS failed"), e.lastError());
    assertEquals(0, mail.getReceivedMessages().length);
  }

  @Test
  void starttlsIsRequiredNeverSkipped() throws Exception {
    enqueue("untrusted_root");
    SmtpConfig plainServer = AlertFixture.startTlsSmtp(mail.getSmtp().getPort(), "s3cret", List.of(caFile));
    AlertSender sender = AlertSender.create(f.store, () -> plainServer, f.clock, "test-node");
    assertEquals(new AlertSender.Round(0, 0, 1, true), sender.runOnce());
    LedgerEntry e = new AlertLedger(f.store).list(List.of("failed"), 10).get(0);
    assertTrue(e.lastError().contains("does not offer STARTTLS"), e.lastError());
    assertEquals(0, mail.getReceivedMessages().length);
    SmtpFailure direct = assertThrows(SmtpFailure.class,
        () -> MailTransport.forConfig(plainServer).sendTest("ops@example.com", f.clock.instant()));
    assertEquals(SmtpFailure.Kind.CONFIG, direct.kind());
  }
}
