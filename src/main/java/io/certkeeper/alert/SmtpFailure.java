package io.certkeeper.alert;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import java.security.cert.CertificateException;
import java.util.Objects;
import javax.net.ssl.SSLException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/**
 * Why a mail was not delivered, and whether trying again can help: {@link Kind#TEMPORARY} (server
 * down, timeout, 4xx) is retried with backoff; {@link Kind#PERMANENT} (5xx) is not; {@link
 * Kind#CONFIG} (bad credentials, STARTTLS refused, unreadable password or CA file) is not retried
 * and pauses the sender until the configuration changes, so a wrong password never becomes a storm.
 */
public final class SmtpFailure extends Exception {
  private static final long serialVersionUID = 1L;

  /** Whether and how to retry. */
  public enum Kind {
    TEMPORARY, PERMANENT, CONFIG
  }

  private final Kind kind;

  SmtpFailure(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public Kind kind() {
    return kind;
  }

  /** Classifies what jakarta-mail threw while talking to {@code server} ({@code host:port}). */
  static SmtpFailure classify(String server, MessagingException e) {
    if (e instanceof AuthenticationFailedException) {
      return new SmtpFailure(Kind.CONFIG, server + ": authentication failed: " + oneLine(e.getMessage()), e);
    }
    for (Exception x = e; x != null; x = x instanceof MessagingException ? ((MessagingException) x).getNextException() : null) {
      int code = -1;
      if (x instanceof SMTPSendFailedException) {
        code = ((SMTPSendFailedException) x).getReturnCode();
      } else if (x instanceof SMTPAddressFailedException) {
        code = ((SMTPAddressFailedException) x).getReturnCode();
      }
      if (code >= 400) {
        Kind k = code >= 500 ? Kind.PERMANENT : Kind.TEMPORARY;
        return new SmtpFailure(k, server + ": rejected (" + code + "): " + oneLine(x.getMessage()), e);
      }
    }
    String m = oneLine(e.getMessage());
    if (m.contains("STARTTLS is required")) {
      return new SmtpFailure(Kind.CONFIG, server + ": the server does not offer STARTTLS, which security: starttls"
          + " requires; no mail was sent in plain text", e);
    }
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof SSLException || t instanceof CertificateException) {
        return new SmtpFailure(Kind.TEMPORARY, server + ": TLS failed: " + oneLine(rootMessage(t)), e);
      }
    }
    if (e.getCause() != null) {
      return new SmtpFailure(Kind.TEMPORARY, server + ": " + m + ": " + oneLine(rootMessage(e.getCause())), e);
    }
    if (m.matches(".*response: 5\\d\\d.*")) {
      return new SmtpFailure(Kind.PERMANENT, server + ": " + m, e);
    }
    return new SmtpFailure(Kind.TEMPORARY, server + ": " + m, e);
  }

  static String rootMessage(Throwable t) {
    Throwable r = t;
    while (r.getCause() != null && r.getCause() != r) {
      r = r.getCause();
    }
    return r.getMessage() == null ? r.getClass().getSimpleName() : r.getClass().getSimpleName() + ": " + r.getMessage();
  }

  static String oneLine(String s) {
    if (s == null) {
      return "";
    }
    return s.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
  }
}
