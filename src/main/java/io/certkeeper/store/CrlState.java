package io.certkeeper.store;

import java.time.Instant;

/**
 * The last CRL a CA certificate signed.
 *
 * @param crlNumber the CRL's number; every new CRL takes the next one
 */
public record CrlState(String issuerSha256, long crlNumber, Instant thisUpdate, Instant nextUpdate) {}
