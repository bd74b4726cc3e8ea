package io.certkeeper.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The latest known state of an endpoint.
 *
 * @param leafSha256 the last leaf certificate seen (kept across failed probes)
 * @param consecutiveFailures probes in a row that obtained no certificate
 * @param lastResultId the probe result this state was taken from
 */
public record EndpointState(String endpointId, Instant lastProbeAt, String status, List<String> problems,
    String message, Optional<String> leafSha256, Optional<Instant> leafNotAfter, int consecutiveFailures,
    long lastResultId) {}
