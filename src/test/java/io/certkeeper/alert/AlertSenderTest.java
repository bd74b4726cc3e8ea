package io.certkeeper.alert;

import io.certkeeper.store.LedgerEntry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.certkeeper.config.SmtpConfig;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertSenderTest {
  @TempDir Path dir;
  AlertFixture f;
  AlertOutbox outbox;
  AlertLedger ledger;
  GreenMail mail;
  int port;
  final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void open() throws Exception {
    f = new AlertFixture(dir, "alerts:\n  recipients: [ops@example.com]\n"
        + "  routes: [{severity: critical, to: [pager@example.com]}]\n  digest: {ops@example.com: 1h}\n");
    outbox = AlertOutbox.create(f::alerts, f.clock);
    ledger = new AlertLedger(f.store);
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    mail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
  }

  @AfterEach
  void close() throws Exception {
    mail.stop();
    for (AutoCloseable c : closing) {
      c.close();
    }
    f.close();
  }

  private void enqueue(String subject, String detail, Severity severity, String... owners) throws Exception {
    AlertEvent e = new AlertEvent("endpoint:" + subject, AlertKind.PROBLEM, detail, Optional.empty(), severity,
        subject + " new problem: " + detail, new AlertFacts("what " + detail, "endpoint " + subject, "now",
            "fix it", List.of("CN=" + subject + " | issuer CN=Test CA")), List.of(owners), false);
    f.store.inTransaction(tx -> outbox.enqueue(tx, e));
  }

  private AlertSender sender(SmtpConfig smtp) {
    return AlertSender.create(f.store, () -> smtp, f.clock, "test-node");
  }

  private List<MimeMessage> to(String address) {
    return Arrays.stream(mail.getReceivedMessages()).filter(m -> {
      try {
        return m.getAllRecipients()[0].toString().equals(address);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }).toList();
  }

  @Test
  void whileTheServerIsDownAlertsWaitAndAreThenDeliveredExactlyOnce() throws Exception {
    for (int i = 0; i < 3; i++) {
      enqueue("api.example.com:443", "code" + i, Severity.WARNING, "web@example.com");
    }
    AlertSender sender = sender(AlertFixture.plainSmtp(port));
    assertEquals(new AlertSender.Round(0, 3, 0, false), sender.runOnce());
    LedgerEntry e = ledger.list(List.of("pending"), 10).get(0);
    assertEquals(1, e.attempts());
    assertTrue(e.lastError().startsWith("127.0.0.1:" + port + ": "), e.lastError());
    assertEquals(f.clock.instant().plus(DeliveryBackoff.FIRST), e.nextAttemptAt());
    assertEquals(AlertSender.Round.IDLE, sender.runOnce(), "nothing is due during the backoff");

    f.clock.advance(Duration.ofMinutes(1));
    assertEquals(new AlertSender.Round(0, 3, 0, false), sender.runOnce(), "still down: second attempt");
    assertEquals(2, ledger.list(List.of("pending"), 10).get(0).attempts());

    mail.start();
    f.clock.advance(Duration.ofMinutes(2));
    assertEquals(new AlertSender.Round(3, 0, 0, false), sender.runOnce());
    f.clock.advance(Duration.ofHours(2));
    assertEquals(AlertSender.Round.IDLE, sender.runOnce());
    assertEquals(3, mail.getReceivedMessages().length);
    assertEquals(3, ledger.list(List.of("sent"), 10).size());
    assertTrue(ledger.list(List.of("sent"), 10).stream().allMatch(x -> x.messageId().startsWith("<certkeeper.alert.")));
    assertEquals(0, ledger.summary().pending());
  }

  @Test
  void aPermanentRejectionIsRecordedAndNeverRetried() throws Exception {
    SmtpFront front = SmtpFront.replying("550 5.1.1 <web@example.com>: no such user");
    closing.add(front);
    enqueue("api.example.com:443", "untrusted_root", Severity.WARNING, "web@example.com");
    AlertSender sender = sender(AlertFixture.plainSmtp(front.port()));
    assertEquals(new AlertSender.Round(0, 0, 1, false), sender.runOnce());
    LedgerEntry failed = ledger.list(List.of("failed"), 10).get(0);
    assertTrue(failed.lastError().contains("550 5.1.1"), failed.lastError());
    f.clock.advance(Duration.ofDays(1));
    assertEquals(AlertSender.Round.IDLE, sender.runOnce());
    assertEquals(1, front.connections.get());
    assertEquals(1, ledger.summary().failed());
    assertTrue(ledger.summary().lastError().get().contains("no such user"));
  }

  @Test
  void aTemporaryRejectionBacksOff() throws Exception {
    SmtpFront front = SmtpFront.replying("451 4.3.0 try again later");
    closing.add(front);
    enqueue("api.example.com:443", "untrusted_root", Severity.WARNING, "web@example.com");
    AlertSender sender = sender(AlertFixture.plainSmtp(front.port()));
    assertEquals(new AlertSender.Round(0, 1, 0, false), sender.runOnce());
    LedgerEntry e = ledger.list(List.of("pending"), 10).get(0);
    assertTrue(e.lastError().contains("451"), e.lastError());
    assertEquals(f.clock.instant().plus(Duration.ofMinutes(1)), e.nextAttemptAt());
  }

  @Test
  void aSenderKilledAfterTheServerAcceptedResendsAtMostOnce() throws Exception {
    mail.start();
    enqueue("api.example.com:443", "untrusted_root", Severity.WARNING, "web@example.com");
    enqueue("db.example.com:5432", "expired", Severity.WARNING, "web@example.com");
    AlertSender dying = sender(AlertFixture.plainSmtp(port));
    AtomicBoolean killed = new AtomicBoolean();
    dying.afterAccepted(ids -> {
      if (killed.compareAndSet(false, true)) {
        throw new IllegalStateException("kill -9");
      }
    });
    assertThrows(IllegalStateException.class, dying::runOnce);
    assertEquals(1, mail.getReceivedMessages().length, "the server accepted the first mail");
    assertEquals(2, ledger.summary().pending(), "neither was marked: one accepted, one never tried");

    AlertSender restarted = sender(AlertFixture.plainSmtp(port));
    assertEquals(AlertSender.Round.IDLE, restarted.runOnce(), "claims are held until the lease ends");
    f.clock.advance(AlertSender.LEASE.plusSeconds(1));
    assertEquals(new AlertSender.Round(2, 0, 0, false), restarted.runOnce());
    f.clock.advance(Duration.ofHours(1));
    assertEquals(AlertSender.Round.IDLE, restarted.runOnce());

    MimeMessage[] got = mail.getReceivedMessages();
    assertEquals(3, got.length, "two alerts, one of them twice: the documented at-least-once edge");
    assertEquals(got[0].getMessageID(), got[1].getMessageID(), "the resend carries the same Message-ID");
    assertFalse(got[1].getMessageID().equals(got[2].getMessageID()));
  }

  @Test
  void aDeliveryClaimedByADeadSenderButNotTriedIsSentOnce() throws Exception {
    mail.start();
    enqueue("api.example.com:443", "untrusted_root", Severity.WARNING, "web@example.com");
    assertEquals(1, ledger.claim("dead-sender", f.clock.instant(), AlertSender.LEASE, 10).size());
    AlertSender sender = sender(AlertFixture.plainSmtp(port));
    assertEquals(AlertSender.Round.IDLE, sender.runOnce());
    f.clock.advance(AlertSender.LEASE.plusSeconds(1));
    assertEquals(1, sender.runOnce().sent());
    assertEquals(AlertSender.Round.IDLE, sender.runOnce());
    assertEquals(1, mail.getReceivedMessages().length);
  }

  @Test
  void mailSaysSeverityWhatAndWhereInTextAndHtmlAndFollowUpsAreThreaded() throws Exception {
    mail.start();
    AlertSender sender = sender(AlertFixture.plainSmtp(port));
    enqueue("api.example.com:443", "untrusted_root", Severity.CRITICAL, "web@example.com");
    sender.runOnce();
    f.clock.advance(Duration.ofMinutes(1));
    enqueue("api.example.com:443", "hostname_mismatch", Severity.WARNING, "web@example.com");
    sender.runOnce();
    List<MimeMessage> web = to("web@example.com");
    assertEquals(2, web.size());
    MimeMessage first = web.get(0);
    assertEquals("[certkeeper] CRITICAL api.example.com:443 new problem: untrusted_root", first.getSubject());
    Multipart parts = (Multipart) first.getContent();
    assertTrue(first.getContentType().startsWith("multipart/alternative"), first.getContentType());
    assertTrue(parts.getBodyPart(0).isMimeType("text/plain"));
    assertTrue(parts.getBodyPart(1).isMimeType("text/html"));
    String text = (String) parts.getBodyPart(0).getContent();
    for (String s : List.of("What:", "Where:", "When:", "To do:", "Chain (leaf first):", "CN=api.example.com")) {
      assertTrue(text.contains(s), s + " in " + text);
    }
    MimeMessage second = web.get(1);
    assertEquals(first.getMessageID(), second.getHeader("In-Reply-To")[0]);
    assertEquals(first.getMessageID(), second.getHeader("References")[0]);
  }

  @Test
  void aDigestRecipientGetsOneMailPerWindowListingEverythingNew() throws Exception {
    mail.start();
    AlertSender sender = sender(AlertFixture.plainSmtp(port));
    f.clock.set(AlertFixture.START.plus(Duration.ofMinutes(10)));
    enqueue("a.example.com:443", "untrusted_root", Severity.CRITICAL);
    enqueue("b.example.com:443", "hostname_mismatch", Severity.CRITICAL);
    f.clock.advance(Duration.ofMinutes(20));
    enqueue("c.example.com:443", "weak_cipher", Severity.WARNING);
    assertEquals(2, sender.runOnce().sent(), "the critical ones go to the pager at once");
    assertEquals(0, to("ops@example.com").size(), "ops reads a digest");
    f.clock.set(AlertFixture.START.plus(Duration.ofHours(1)));
    assertEquals(3, sender.runOnce().sent());
    List<MimeMessage> ops = to("ops@example.com");
    assertEquals(1, ops.size());
    assertEquals("[certkeeper] CRITICAL digest: 3 alerts", ops.get(0).getSubject());
    String text = (String) ((Multipart) ops.get(0).getContent()).getBodyPart(0).getContent();
    for (String s : List.of("a.example.com:443", "b.example.com:443", "c.example.com:443")) {
      assertTrue(text.contains(s), s);
    }
    f.clock.advance(Duration.ofDays(1));
    assertEquals(AlertSender.Round.IDLE, sender.runOnce());
  }
}
