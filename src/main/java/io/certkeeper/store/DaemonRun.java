package io.certkeeper.store;

import java.time.Instant;
import java.util.Optional;

/**
 * One start of the daemon as recorded in the store.
 *
 * @param node the node's name ({@code node:}, else its host name); the host for runs recorded before
 *     nodes had names
 * @param heartbeatAt last time the daemon said it was alive (every {@code 30s})
 * @param stoppedAt when it stopped cleanly; absent while running or after a crash
 * @param lastReloadError why the last configuration reload was refused, if it was
 */
public record DaemonRun(
    long id,
    String node,
    String host,
    long pid,
    String version,
    Optional<String> configFile,
    Instant startedAt,
    Instant heartbeatAt,
    Optional<Instant> stoppedAt,
    Optional<Instant> lastReloadAt,
    Optional<String> lastReloadError) {}
