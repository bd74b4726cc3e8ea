package io.certkeeper.alert;

import io.certkeeper.store.ManagedRenewal;
import io.certkeeper.util.Preconditions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One thing to tell people about, once. Its identity is {@link #dedupKey()}: subject, kind, detail
 * and the certificate fingerprint, so that the same threshold of a renewed certificate is a new
 * event while the same threshold of the same certificate never fires twice.
 *
 * <p>The renewal code's events are {@link #renewalFailed}, {@link #hookFailed} and
 * {@link #staleListener}: it reports them through an adapter the daemon hands it, which writes them
 * with {@link AlertOutbox#enqueue} in the transaction that records the renewal's state.
 *
 * @param subject what it is about, e.g. {@code endpoint:api.example.com:443} or
 *     {@code certificate:www.example.com}
 * @param detail what distinguishes it among events of its kind: a threshold ({@code 7d}), the new
 *     problem codes, an episode number
 * @param fingerprint the SHA-256 of the certificate concerned, when one is
 * @param title the mail subject after {@code [certkeeper] SEVERITY }
 * @param owners who is alerted; the configured default recipients when empty
 * @param suppressed recorded so that it never fires, but not mailed (a less severe threshold passed
 *     while a more severe one is alerted)
 */
public record AlertEvent(String subject, AlertKind kind, String detail, Optional<String> fingerprint,
    Severity severity, String title, AlertFacts facts, List<String> owners, boolean suppressed) {

  public AlertEvent {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(facts, "facts");
    owners = List.copyOf(owners);
    Preconditions.requireArgument(!subject.isBlank() && subject.length() <= 1000, "bad subject: '%s'", subject);
    Preconditions.requireArgument(detail.length() <= 300, "detail longer than 300 characters: %s", detail);
  }

  /** The unique key of the event: SHA-256 (hex) of {@code subject|kind|detail|fingerprint}. */
  public String dedupKey() {
    String key = subject + "|" + kind.code() + "|" + detail + "|" + fingerprint.orElse("");
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** This event, recorded but not mailed. */
  AlertEvent asSuppressed() {
    return new AlertEvent(subject, kind, detail, fingerprint, severity, title, facts, owners, true);
  }

  /** The subject as people read it: {@code api.example.com:443} for {@code endpoint:api.example.com:443}. */
  public static String display(String subject) {
    int colon = subject.indexOf(':');
    return colon < 0 ? subject : subject.substring(colon + 1);
  }

  /**
   * Renewing a managed certificate failed. One alert per certificate being renewed: later failures
   * of the same renewal are not mailed again (the ledger and logs keep them).
   *
   * @param certificate the managed certificate's name
   * @param currentSha256 fingerprint of the certificate that should have been replaced
   * @param error what went wrong, one line
   * @param nextAttempt when renewal will be tried again, if it will
   * @param expiresAt when the current certificate expires
   */
  public static AlertEvent renewalFailed(String certificate, String currentSha256, String error,
      Optional<Instant> nextAttempt, Instant expiresAt, List<String> owners) {
    return new AlertEvent("certificate:" + certificate, AlertKind.RENEWAL_FAILED, "", Optional.of(currentSha256),
        Severity.CRITICAL, certificate + " renewal failed",
        new AlertFacts("Renewing the certificate failed: " + error,
            "certificate " + certificate + " (current " + currentSha256 + ")",
            "the current certificate expires at " + expiresAt
                + nextAttempt.map(t -> "; next attempt at " + t).orElse("; no further attempt is scheduled"),
            "Fix the cause shown above, then run the renewal again; the current certificate keeps being served"
                + " until it expires.",
            List.of()),
        owners, false);
  }

  /**
   * A managed certificate's renewal is overdue: the generation in force was not renewed by its
   * overdue time, or {@code servedBy} still serves a generation that was replaced. One alert per
   * certificate generation, whoever notices it first (the certificate itself or an endpoint serving
   * it); a renewed certificate can be alerted again.
   *
   * @param servedBy the endpoint that serves it, when an endpoint's probe noticed it
   */
  public static AlertEvent renewalOverdue(ManagedRenewal m, Optional<String> servedBy) {
    String cert = m.name();
    String what;
    String action;
    if (m.isCurrent()) {
      what = "The certificate " + cert + " (serial " + m.serial() + ") should have been renewed at " + m.renewAt()
          + " and was not" + m.lastError().map(e -> "; last error: " + e).orElse("") + ".";
      action = "Check the daemon's log and 'certkeeper explain " + cert + "'; once the cause is fixed, run"
          + " 'certkeeper renew " + cert + "'. The daemon must run for scheduled renewals.";
    } else {
      what = servedBy.orElse("A server") + " still serves serial " + m.serial() + " of " + cert
          + ", which should have been replaced after " + m.renewAt() + "; the certificate in force is serial "
          + m.currentSerial() + ".";
      action = "Make the service behind " + servedBy.orElse("the endpoint") + " load the renewed certificate"
          + " (check the certificate's outputs and deploy hooks).";
    }
    return new AlertEvent("certificate:" + cert, AlertKind.RENEWAL_OVERDUE, "", Optional.of(m.sha256()),
        Severity.WARNING, cert + " renewal overdue" + servedBy.map(e -> " on " + e).orElse(""),
        new AlertFacts(what, "certificate " + cert + servedBy.map(e -> ", served by endpoint " + e).orElse(""),
            "overdue since " + m.overdueAt() + "; the certificate expires at " + m.notAfter(), action, List.of()),
        m.owners(), false);
  }

  /**
   * A deploy hook failed after a renewal: the new certificate is on disk but may not be in use.
   *
   * @param newSha256 fingerprint of the certificate just issued
   * @param hook the hook's command or name
   */
  public static AlertEvent hookFailed(String certificate, String newSha256, String hook, String error,
      List<String> owners) {
    return new AlertEvent("certificate:" + certificate, AlertKind.HOOK_FAILED, hook.length() > 200
        ? hook.substring(0, 200) : hook, Optional.of(newSha256), Severity.WARNING,
        certificate + " deploy hook failed",
        new AlertFacts("The deploy hook '" + hook + "' failed after the certificate was renewed: " + error,
            "certificate " + certificate + " (new " + newSha256 + ")", "after the renewal",
            "Run the hook by hand and check that the service uses the new certificate.", List.of()),
        owners, false);
  }

  /**
   * A listener still serves the old certificate after a renewal (the closed loop found it).
   *
   * @param newSha256 fingerprint of the certificate that should be served
   * @param listener where it was checked, e.g. {@code 127.0.0.1:8443}
   * @param servedSha256 fingerprint of what is served
   */
  public static AlertEvent staleListener(String certificate, String newSha256, String listener,
      String servedSha256, List<String> owners) {
    return new AlertEvent("certificate:" + certificate, AlertKind.STALE_LISTENER, listener,
        Optional.of(newSha256), Severity.WARNING, certificate + " still served old certificate on " + listener,
        new AlertFacts("After the renewal, " + listener + " still serves the old certificate " + servedSha256
            + " instead of " + newSha256 + ".", listener, "after the renewal",
            "Reload or restart the service behind " + listener + " so that it loads the new certificate.",
            List.of()),
        owners, false);
  }
}
