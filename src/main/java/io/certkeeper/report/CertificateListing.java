package io.certkeeper.report;

import io.certkeeper.store.CertificateRecord;
import io.certkeeper.store.CertificateRepository;
import io.certkeeper.store.IssuedCertificateRecord;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import io.certkeeper.x509.CertificateInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The certificates of the inventory as {@code list --json} and {@code GET /api/v1/certificates} show them. */
public final class CertificateListing {
  private CertificateListing() {}

  /**
   * One certificate.
   *
   * @param status {@code valid}, {@code expired}, {@code not-yet-valid} or {@code revoked}
   * @param profile for issued certificates: root, intermediate, server, client, server-client
   */
  public record Listed(String serial, String sha256, String commonName, String subject, String issuer, List<String> sans,
      Instant notBefore, Instant notAfter, String source, String status, String profile, Instant revokedAt,
      String revocationReason, String keyAlgorithm, int keySize) {}

  /** Certificates by source (all when empty) expiring before {@code before} (all when empty), soonest first. */
  public static List<Listed> list(Store store, Optional<CertificateRecord.Source> source, Optional<Instant> before,
      int limit, Instant now) throws StoreException {
    List<Listed> rows = new ArrayList<>();
    List<CertificateRecord> certs = new CertificateRepository(store).list(source, before, limit);
    Map<String, IssuedCertificateRecord> issued = new IssuedCertificateRepository(store).bySha256();
    for (CertificateRecord c : certs) {
      rows.add(listed(c, Optional.ofNullable(issued.get(c.info().sha256())), now));
    }
    return rows;
  }

  static Listed listed(CertificateRecord c, Optional<IssuedCertificateRecord> issued, Instant now) {
    CertificateInfo i = c.info();
    String status;
    if (issued.isPresent() && issued.get().revoked()) {
      status = "revoked";
    } else if (!now.isBefore(i.notAfter())) {
      status = "expired";
    } else if (now.isBefore(i.notBefore())) {
      status = "not-yet-valid";
    } else {
      status = "valid";
    }
    return new Listed(i.serial(), i.sha256(), i.subjectCommonName(), i.subject(), i.issuer(), i.sans(), i.notBefore(),
        i.notAfter(), c.source().code(), status, issued.map(IssuedCertificateRecord::profile).orElse(null),
        issued.flatMap(IssuedCertificateRecord::revokedAt).orElse(null),
        issued.flatMap(IssuedCertificateRecord::revocationReason).orElse(null), i.keyAlgorithm(), i.keySize());
  }
}
