package io.certkeeper.store;

import java.time.Instant;
import java.util.Optional;

/** The certificate an endpoint serves changed from {@code oldSha256} to {@code newSha256}. */
public record EndpointChange(long id, String endpointId, Instant detectedAt, Optional<String> oldSha256,
    String newSha256) {}
