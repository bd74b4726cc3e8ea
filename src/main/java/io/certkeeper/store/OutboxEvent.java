package io.certkeeper.store;

import java.util.Objects;
import java.util.Optional;

/**
 * An alert event as the outbox stores it. The store does not interpret kind, severity or body; it
 * keeps each event once by its {@code dedupKey}.
 *
 * @param dedupKey what makes the event one: SHA-256 (hex) of subject, kind, detail and fingerprint
 * @param subject what it is about, e.g. {@code endpoint:api.example.com:443}
 * @param kind the alert kind's code ({@code expiry}, {@code renewal_failed}, ...)
 * @param detail what distinguishes it among events of its kind (at most 300 characters)
 * @param fingerprint the SHA-256 of the certificate concerned, when one is
 * @param severity the severity's code ({@code info}, {@code warning}, {@code critical})
 * @param title the mail's subject line (cut to 1000 characters when stored)
 * @param body the mail's facts as JSON
 * @param suppressed recorded so that it never fires, without deliveries
 */
public record OutboxEvent(String dedupKey, String subject, String kind, String detail, Optional<String> fingerprint,
    String severity, String title, String body, boolean suppressed) {
  public OutboxEvent {
    Objects.requireNonNull(dedupKey, "dedupKey");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(body, "body");
  }
}
