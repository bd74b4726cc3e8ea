package io.certkeeper.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A delivery to create with a new alert event: who receives it, how, and from when it is due.
 *
 * @param digest {@code none} (a mail of its own) or a digest window ({@code 1h}, {@code daily})
 * @param dueAt when the sender may send it (the end of its window for a digest)
 */
public record OutboxDelivery(String recipient, String digest, Instant dueAt) {
  public OutboxDelivery {
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(dueAt, "dueAt");
  }
}
