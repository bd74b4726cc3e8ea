package io.certkeeper.report;

import io.certkeeper.store.AlertOutboxRepository;
import io.certkeeper.store.CertificateRepository;
import io.certkeeper.store.ManagedCertificateRepository;
import io.certkeeper.store.ProbeResultRepository;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import io.certkeeper.util.Durations;
import java.time.Duration;
import java.time.Instant;

/**
 * The dashboard's tiles ({@code GET /api/v1/dashboard}): "am I safe this week?" in counts, each
 * one a filter of the table. Counted from the store's per-day counts and small tables, so they cost
 * the same with a million certificates.
 *
 * @param expired certificates whose notAfter has passed
 * @param critical certificates expiring within {@code criticalWithin}
 * @param warning certificates expiring after that but within {@code warningWithin}
 * @param renewalFailures managed certificates (of any node) whose last renewal failed
 * @param endpointProblems endpoints whose last probe found a problem
 */
public record DashboardTiles(Instant at, long total, long expired, long critical, long warning, long renewalFailures,
    long endpointProblems, long alertsPending, long alertsFailed, String warningWithin, String criticalWithin) {

  public static DashboardTiles of(Store store, Instant now, Duration warning, Duration critical) throws StoreException {
    CertificateRepository certs = new CertificateRepository(store);
    CertificateRepository.Summary withinCritical = certs.summary(now, now.plus(critical));
    CertificateRepository.Summary withinWarning = certs.summary(now, now.plus(warning));
    long failures = ManagedCertificateRepository.everyNode(store).stream().filter(m -> m.consecutiveFailures() > 0)
        .count();
    AlertOutboxRepository.Summary alerts = new AlertOutboxRepository(store).summary();
    return new DashboardTiles(now, withinWarning.total(), withinWarning.expired(), withinCritical.expiringSoon(),
        withinWarning.expiringSoon() - withinCritical.expiringSoon(), failures,
        new ProbeResultRepository(store).countWithProblems(), alerts.pending(), alerts.failed(),
        Durations.format(warning), Durations.format(critical));
  }
}
