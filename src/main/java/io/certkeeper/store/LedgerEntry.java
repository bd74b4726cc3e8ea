package io.certkeeper.store;

import java.time.Instant;

/**
 * One delivery of one alert, as {@code certkeeper alerts} lists it.
 *
 * @param status {@code pending}, {@code sending} (claimed by a sender), {@code sent} or {@code failed}
 * @param digest {@code none}, {@code 1h} or {@code daily}
 * @param nextAttemptAt when a pending delivery is due (the end of its window for a digest)
 * @param lastError the last failure, with the server's reply when there was one
 * @param claimedBy the sender that holds it ({@code sending}) or sent it ({@code sent}):
 *     {@code node/pid-N-id}; null otherwise and for mail sent by versions before nodes had names
 */
public record LedgerEntry(long id, long eventId, String subject, String kind, String detail, String severity,
    String title, String recipient, String digest, String status, int attempts, Instant createdAt,
    Instant nextAttemptAt, Instant sentAt, String messageId, String lastError, Instant lastErrorAt, String claimedBy) {

  /** The node that sent it, from {@link #claimedBy}; null when not known. */
  public String sentBy() {
    if (!"sent".equals(status) || claimedBy == null) {
      return null;
    }
    int slash = claimedBy.indexOf('/');
    return slash > 0 ? claimedBy.substring(0, slash) : null;
  }
}
