package io.certkeeper.alert;

import java.time.Instant;

/** A claimed delivery with its event: what the sender mails. */
record Delivery(long id, long eventId, String recipient, String digest, int attempts, String subject, AlertKind kind,
    String detail, Severity severity, String title, AlertFacts facts, Instant createdAt) {}
