package io.certkeeper.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A certificate or an event carrying CR/LF and bidi overrides reaches a real SMTP server as one escaped line. */
@Tag("security")
class HostileTextInMailTest {
  static final String API = "api.example.com:443";
  static final String HOSTILE_CN = "x\r\nBcc: evil@example.com";

  @TempDir Path dir;
  AlertFixture f;
  GreenMail mail;
  int port;

  @BeforeEach
  void open() throws Exception {
    f = new AlertFixture(dir, "alerts:\n  recipients: [ops@example.com]\n"
        + "endpoints:\n  - target: api.example.com:443\n    owners: [web@example.com]\n");
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    mail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    mail.start();
  }

  @AfterEach
  void close() {
    mail.stop();
    f.close();
  }

  private MimeMessage onlyMessage() {
    MimeMessage[] got = mail.getReceivedMessages();
    assertEquals(1, got.length, "one mail, to the owner only");
    return got[0];
  }

  private static String part(MimeMessage m, int i) throws Exception {
    return (String) ((Multipart) m.getContent()).getBodyPart(i).getContent();
  }

  @Test
  void aSubjectWithCrLfFromAProbedCertificateStaysOneEscapedLine() throws Exception {
    X509Certificate cert = TestPki.leaf(HOSTILE_CN, AlertFixture.START.minus(Duration.ofDays(60)),
        AlertFixture.START.plus(Duration.ofDays(5)));
    f.probe(API, List.of(), cert);
    AlertEvaluator.create(f.store, f::alerts, f.clock).evaluate();
    AlertSender.create(f.store, () -> AlertFixture.plainSmtp(port), f.clock, "test-node").runOnce();

    MimeMessage m = onlyMessage();
    assertNull(m.getHeader("Bcc"));
    assertEquals("web@example.com", m.getAllRecipients()[0].toString());
    String text = part(m, 0);
    String html = part(m, 1);
    for (String body : List.of(text, html)) {
      assertTrue(body.lines().noneMatch(l -> l.startsWith("Bcc:")), body);
      assertTrue(body.lines().anyMatch(l -> l.contains("CN=x\\r\\nBcc: evil@example.com")), body);
    }
  }

  @Test
  void crLfAndBidiOverridesInAnEventAddNoHeaderAndShowEscaped() throws Exception {
    String hostile = "api\r\nBcc: evil@example.com\u202e";
    AlertEvent e = new AlertEvent("endpoint:" + hostile, AlertKind.PROBLEM, "code\r\nX-Evil: 1", Optional.empty(),
        Severity.WARNING, hostile + " new problem", new AlertFacts("what " + hostile, "where\n<b>x</b>", "now",
            "fix it", List.of("CN=" + hostile)), List.of("web@example.com"), false);
    AlertOutbox outbox = AlertOutbox.create(f::alerts, f.clock);
    f.store.inTransaction(tx -> outbox.enqueue(tx, e));
    AlertSender.create(f.store, () -> AlertFixture.plainSmtp(port), f.clock, "test-node").runOnce();

    MimeMessage m = onlyMessage();
    assertNull(m.getHeader("Bcc"));
    assertNull(m.getHeader("X-Evil"));
    assertEquals("[certkeeper] WARNING api\\r\\nBcc: evil@example.com\\u202e new problem", m.getSubject());
    assertEquals("problem; subject=endpoint:api\\r\\nBcc: evil@example.com\\u202e",
        m.getHeader("X-Certkeeper-Alert")[0]);
    String text = part(m, 0);
    List<String> lines = text.lines().toList();
    assertTrue(lines.contains("What:   what api\\r\\nBcc: evil@example.com\\u202e"), text);
    assertTrue(lines.contains("Where:  where\\n<b>x</b>"), text);
    assertTrue(text.contains("certkeeper alert problem code\\r\\nX-Evil: 1;"), text);
    String html = part(m, 1);
    assertTrue(html.contains("<td>where\\n&lt;b&gt;x&lt;/b&gt;</td>"), html);
    assertTrue(html.lines().noneMatch(l -> l.startsWith("Bcc:")), html);
    assertTrue(!text.contains("\u202e") && !html.contains("\u202e"));
  }
}
