package io.certkeeper.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An endpoint as stored: its id, where it was declared, and its settings as JSON (the store does not
 * interpret them).
 *
 * @param origin {@link #CONFIG} (declared in the configuration file, synced on start and reload) or
 *     {@link #CLI} (added with {@code certkeeper endpoint add})
 */
public record EndpointRow(String id, String target, String origin, Optional<String> group, String specJson,
    Instant createdAt, Instant updatedAt) {
  public static final String CONFIG = "config";
  public static final String CLI = "cli";

  public EndpointRow {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(specJson, "specJson");
    if (!origin.equals(CONFIG) && !origin.equals(CLI)) {
      throw new IllegalArgumentException("origin must be config or cli: " + origin);
    }
  }
}
