package io.certkeeper.store;

import java.time.Instant;

/**
 * A certificate of the inventory in a few words: enough to name it in a message and to tell whether
 * certkeeper issued it.
 */
public record CertificateBrief(String sha256, String subject, String issuer, Instant notAfter,
    CertificateRecord.Source source) {}
