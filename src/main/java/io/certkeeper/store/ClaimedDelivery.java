package io.certkeeper.store;

import java.time.Instant;

/**
 * A delivery a sender claimed, with its event: what it mails. Kind, severity and body are stored
 * as the alert code wrote them ({@link OutboxEvent}).
 */
public record ClaimedDelivery(long id, long eventId, String recipient, String digest, int attempts, Instant createdAt,
    String subject, String kind, String detail, String severity, String title, String body) {}
