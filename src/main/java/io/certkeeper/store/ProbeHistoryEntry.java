package io.certkeeper.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** One stored probe result, as {@code endpoint history} shows it. */
public record ProbeHistoryEntry(long id, Instant probedAt, String status, List<String> problems, String message,
    Optional<String> protocol, Optional<String> leafSha256, long totalMs) {}
