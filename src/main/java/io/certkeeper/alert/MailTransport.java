package io.certkeeper.alert;

import io.certkeeper.config.SmtpConfig;
import io.certkeeper.x509.Pem;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * One configured way to the mail server: a jakarta-mail session with explicit timeouts, STARTTLS
 * required when chosen, the server certificate checked against the JDK's trust store or the
 * configured CA files, and the host name verified. {@link #open()} connects and authenticates.
 */
public final class MailTransport {
  private final SmtpConfig config;
  private final Session session;
  private final String protocol;

  private MailTransport(SmtpConfig config, Session session, String protocol) {
    this.config = config;
    this.session = session;
    this.protocol = protocol;
  }

  /**
   * @throws SmtpFailure of kind CONFIG when smtp is not configured or a CA file cannot be read
   */
  public static MailTransport forConfig(SmtpConfig config) throws SmtpFailure {
    Objects.requireNonNull(config, "config");
    if (!config.isEnabled()) {
      throw new SmtpFailure(SmtpFailure.Kind.CONFIG, "smtp is not configured (set smtp.host and smtp.from)", null);
    }
    String protocol = switch (config.security()) {
      case NONE, STARTTLS -> "smtp";
      case SMTPS -> "smtps";
    };
    String p = "mail." + protocol;
    Properties props = new Properties();
    props.setProperty(p + ".host", config.host().get());
    props.setProperty(p + ".port", Integer.toString(config.port()));
    props.setProperty(p + ".connectiontimeout", Long.toString(config.connectTimeout().toMillis()));
    props.setProperty(p + ".timeout", Long.toString(config.readTimeout().toMillis()));
    props.setProperty(p + ".writetimeout", Long.toString(config.readTimeout().toMillis()));
    props.setProperty(p + ".from", config.from().get());
    props.setProperty(p + ".localhost", localHost());
    props.setProperty(p + ".auth", Boolean.toString(config.user().isPresent()));
    boolean tls = switch (config.security()) {
      case NONE -> false;
      case STARTTLS -> {
        props.setProperty(p + ".starttls.enable", "true");
        props.setProperty(p + ".starttls.required", "true");
        yield true;
      }
      case SMTPS -> {
        props.setProperty(p + ".ssl.enable", "true");
        yield true;
      }
    };
    if (tls) {
      props.setProperty(p + ".ssl.checkserveridentity", "true");
      props.put(p + ".ssl.socketFactory", socketFactory(config));
    }
    return new MailTransport(config, Session.getInstance(props), protocol);
  }

  private static SSLSocketFactory socketFactory(SmtpConfig config) throws SmtpFailure {
    try {
      if (config.caFiles().isEmpty()) {
        return SSLContext.getDefault().getSocketFactory();
      }
      KeyStore anchors = KeyStore.getInstance("PKCS12");
      anchors.load(null, null);
      int n = 0;
      for (Path f : config.caFiles()) {
        for (X509Certificate c : Pem.readCertificates(f)) {
          anchors.setCertificateEntry("ca-" + n++, c);
        }
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(anchors);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx.getSocketFactory();
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw new SmtpFailure(SmtpFailure.Kind.CONFIG, "smtp.ca-files: " + SmtpFailure.rootMessage(e), e);
    }
  }

  private static String localHost() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /** The session, for composing messages. */
  Session session() {
    return session;
  }

  /** The envelope and header sender. */
  String from() {
    return config.from().get();
  }

  /** {@code host:port}, for messages. */
  public String server() {
    return config.host().get() + ":" + config.port();
  }

  /** Connects, upgrades to TLS as configured, and authenticates. */
  public Open open() throws SmtpFailure {
    Optional<char[]> password = Optional.empty();
    if (config.password().isPresent()) {
      try {
        password = Optional.of(config.password().get().resolve());
      } catch (IOException e) {
        throw new SmtpFailure(SmtpFailure.Kind.CONFIG, "smtp.password: " + e.getMessage(), e);
      }
    }
    try {
      Transport t = session.getTransport(protocol);
      t.connect(config.host().get(), config.port(), config.user().orElse(null),
          password.map(String::new).orElse(null));
      return new Open(t);
    } catch (MessagingException e) {
      throw SmtpFailure.classify(server(), e);
    }
  }

  /** What {@link #sendTest} saw. */
  public record TestResult(boolean encrypted, String reply, String messageId) {}

  /** Connects, sends a test message to {@code to}, and returns the server's answer. */
  public TestResult sendTest(String to, java.time.Instant now) throws SmtpFailure {
    String id = MailComposer.messageId("test", now.toEpochMilli(), 0, from());
    MimeMessage m;
    try {
      m = MailComposer.test(session, from(), to, id, now);
    } catch (MessagingException e) {
      throw new SmtpFailure(SmtpFailure.Kind.PERMANENT, "cannot compose the test message: " + e.getMessage(), e);
    }
    try (Open open = open()) {
      String reply = open.send(m);
      return new TestResult(open.isEncrypted(), reply, id);
    }
  }

  /** A connected, authenticated SMTP session. */
  public final class Open implements AutoCloseable {
    private final Transport transport;

    private Open(Transport transport) {
      this.transport = transport;
    }

    /** Sends {@code message}; returns the server's reply to it (e.g. {@code 250 2.0.0 OK}). */
    public String send(MimeMessage message) throws SmtpFailure {
      try {
        message.saveChanges();
        transport.sendMessage(message, message.getAllRecipients());
        return transport instanceof SMTPTransport
            ? SmtpFailure.oneLine(((SMTPTransport) transport).getLastServerResponse()) : "accepted";
      } catch (MessagingException e) {
        throw SmtpFailure.classify(server(), e);
      }
    }

    /** Whether the connection is encrypted (SMTPS, or after STARTTLS). */
    public boolean isEncrypted() {
      return transport instanceof SMTPTransport && ((SMTPTransport) transport).isSSL();
    }

    @Override
    public void close() {
      try {
        transport.close();
      } catch (MessagingException e) {
        // the message was accepted or not before QUIT; nothing to do about a failed QUIT
      }
    }
  }
}
