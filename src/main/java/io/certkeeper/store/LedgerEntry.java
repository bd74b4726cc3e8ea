package io.certkeeper.store;

import java.time.Instant;

/**
 * One delivery of one alert, as {@code certkeeper alerts} lists it.
 *
 * @param status {@code pending}, {@code sending} (claimed by a sender), {@code sent} or {@code failed}
 * @param digest {@code none}, {@code 1h} or {@code daily}
 * @param nextAttemptAt when a pending delivery is due (the end of its window for a digest)
 * @param lastError the last failure, with the server's reply when there was one
 */
public record LedgerEntry(long id, long eventId, String subject, String kind, String detail, String severity,
    String title, String recipient, String digest, String status, int attempts, Instant createdAt,
    Instant nextAttemptAt, Instant sentAt, String messageId, String lastError, Instant lastErrorAt) {}
