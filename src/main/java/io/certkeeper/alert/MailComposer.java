package io.certkeeper.alert;

import io.certkeeper.util.Printable;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * The mails: a subject that says severity, subject and what ({@code [certkeeper] CRITICAL
 * api.example.com:443 certificate expires in 3 days}), a plain-text and an HTML part with what,
 * where, when, what to do and the chain, follow-ups threaded under the first mail about the same
 * subject, and a Message-ID fixed by the delivery so that a resend after a crash carries the same
 * one.
 *
 * <p>Everything that comes from an event (titles, facts, chain lines: certificate subjects and
 * issuers, endpoint names, errors quoting a peer) goes through {@link Printable} before it is put
 * in a header or a body, and is HTML-escaped as well in the HTML part: a subject
 * {@code CN=x\r\nBcc: evil} shows as one line and adds no header.
 */
final class MailComposer {
  static final String PREFIX = "[certkeeper]";

  /** A subject line longer than this is cut: mail clients show less anyway. */
  static final int MAX_SUBJECT = 200;

  private MailComposer() {}

  /** The subject line of an alert. */
  static String subjectLine(Severity severity, String title) {
    return Printable.line(PREFIX + " " + severity.name() + " " + title, MAX_SUBJECT);
  }

  /** {@code <certkeeper.alert.42.7@example.com>}: stable for a delivery. */
  static String messageId(String kind, long id, long eventId, String from) {
    int at = from.lastIndexOf('@');
    String domain = at < 0 ? "localhost" : from.substring(at + 1);
    return "<certkeeper." + kind + "." + id + "." + eventId + "@" + domain + ">";
  }

  static MimeMessage alert(Session session, String from, Delivery d, Optional<String> threadRoot, String messageId,
      Instant now) throws MessagingException {
    MimeMessage m = new FixedIdMessage(session, messageId);
    headers(m, from, d.recipient(), subjectLine(d.severity(), d.title()), now);
    threadRoot.filter(r -> !r.equals(messageId)).ifPresent(r -> {
      try {
        m.setHeader("In-Reply-To", r);
        m.setHeader("References", r);
      } catch (MessagingException e) {
        throw new IllegalStateException(e);
      }
    });
    m.setHeader("X-Certkeeper-Alert", d.kind().code() + "; subject=" + Printable.line(d.subject(), MAX_SUBJECT));
    StringBuilder text = new StringBuilder();
    StringBuilder html = new StringBuilder("<html><body style=\"font-family:sans-serif\">");
    section(text, html, d);
    text.append("-- \ncertkeeper alert ").append(d.kind().code()).append(" ").append(t(d.detail()))
        .append("; list all with 'certkeeper alerts'\n");
    html.append("<p style=\"color:#666\">certkeeper alert ").append(esc(d.kind().code())).append(' ')
        .append(h(d.detail())).append("; list all with <code>certkeeper alerts</code></p></body></html>");
    body(m, text.toString(), html.toString());
    return m;
  }

  static MimeMessage digest(Session session, String from, String recipient, List<Delivery> ds, String messageId,
      Instant now) throws MessagingException {
    MimeMessage m = new FixedIdMessage(session, messageId);
    Severity worst = Severity.INFO;
    for (Delivery d : ds) {
      worst = d.severity().compareTo(worst) > 0 ? d.severity() : worst;
    }
    headers(m, from, recipient, subjectLine(worst, "digest: " + ds.size() + " alert" + (ds.size() == 1 ? "" : "s")),
        now);
    StringBuilder text = new StringBuilder("certkeeper: " + ds.size() + " new alerts\n\n");
    StringBuilder html = new StringBuilder("<html><body style=\"font-family:sans-serif\"><h2>certkeeper: ")
        .append(ds.size()).append(" new alerts</h2><ul>");
    for (Delivery d : ds) {
      text.append("  ").append(d.severity().name()).append(' ').append(t(d.title())).append('\n');
      html.append("<li><b>").append(d.severity().name()).append("</b> ").append(h(d.title())).append("</li>");
    }
    text.append('\n');
    html.append("</ul>");
    for (Delivery d : ds) {
      section(text, html, d);
    }
    html.append("</body></html>");
    body(m, text.toString(), html.toString());
    return m;
  }

  static MimeMessage test(Session session, String from, String to, String messageId, Instant now)
      throws MessagingException {
    MimeMessage m = new FixedIdMessage(session, messageId);
    headers(m, from, to, PREFIX + " INFO test message", now);
    String what = "This is a test message from certkeeper, sent at " + now + ". Alert mail reaches you.";
    body(m, what + "\n", "<html><body><p>" + esc(what) + "</p></body></html>");
    return m;
  }

  private static void section(StringBuilder text, StringBuilder html, Delivery d) {
    AlertFacts f = d.facts();
    text.append(d.severity().name()).append(": ").append(t(d.title())).append("\n\n")
        .append("What:   ").append(t(f.what())).append('\n')
        .append("Where:  ").append(t(f.where())).append('\n')
        .append("When:   ").append(t(f.when())).append('\n')
        .append("To do:  ").append(t(f.action())).append('\n');
    html.append("<h3>").append(d.severity().name()).append(": ").append(h(d.title())).append("</h3><table>")
        .append(row("What", f.what())).append(row("Where", f.where())).append(row("When", f.when()))
        .append(row("To do", f.action())).append("</table>");
    if (!f.chain().isEmpty()) {
      text.append("\nChain (leaf first):\n");
      html.append("<p>Chain (leaf first):</p><ol>");
      for (String c : f.chain()) {
        text.append("  ").append(t(c)).append('\n');
        html.append("<li><code>").append(h(c)).append("</code></li>");
      }
      html.append("</ol>");
    }
    text.append('\n');
  }

  private static String row(String name, String value) {
    return "<tr><th align=\"left\" valign=\"top\">" + name + "</th><td>" + h(value) + "</td></tr>";
  }

  /** Event text for the plain-text part: one line, controls escaped. */
  private static String t(String s) {
    return Printable.line(s);
  }

  /** Event text for the HTML part: one line, controls escaped, then HTML-escaped. */
  private static String h(String s) {
    return esc(Printable.line(s));
  }

  private static void headers(MimeMessage m, String from, String to, String subject, Instant now)
      throws MessagingException {
    m.setFrom(new InternetAddress(from));
    m.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
    m.setSubject(subject, "UTF-8");
    m.setSentDate(Date.from(now));
    m.setHeader("Auto-Submitted", "auto-generated");
  }

  private static void body(MimeMessage m, String text, String html) throws MessagingException {
    MimeMultipart alt = new MimeMultipart("alternative");
    MimeBodyPart plain = new MimeBodyPart();
    plain.setText(text, "UTF-8", "plain");
    MimeBodyPart rich = new MimeBodyPart();
    rich.setText(html, "UTF-8", "html");
    alt.addBodyPart(plain);
    alt.addBodyPart(rich);
    m.setContent(alt);
  }

  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<': b.append("&lt;"); break;
        case '>': b.append("&gt;"); break;
        case '&': b.append("&amp;"); break;
        case '"': b.append("&quot;"); break;
        case '\'': b.append("&#39;"); break;
        default: b.append(c);
      }
    }
    return b.toString();
  }

  /** A message whose Message-ID is chosen by us, not regenerated by {@code saveChanges}. */
  private static final class FixedIdMessage extends MimeMessage {
    private final String id;

    FixedIdMessage(Session session, String id) {
      super(session);
      this.id = id;
    }

    @Override
    protected void updateMessageID() throws MessagingException {
      setHeader("Message-ID", id);
    }
  }
}
