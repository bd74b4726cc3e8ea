package io.certkeeper.store;

import io.certkeeper.x509.CertificateInfo;
import io.certkeeper.x509.Pem;
import java.security.cert.X509Certificate;

/**
 * What a row of {@code certificates} holds: the facts, the PEM and the SANs as JSON. An issuer
 * prepares all of it on its own thread ({@link #prepared}), so the shared transaction of a group
 * commit ({@link GroupCommit}) only writes; a probe or a rescan, which mostly finds the row known
 * already, works out the PEM and the JSON only when it inserts ({@link #factsOnly}).
 */
record CertificateRow(X509Certificate cert, CertificateInfo info, String pem, String sansJson) {
  static CertificateRow prepared(X509Certificate cert) {
    CertificateInfo info = CertificateInfo.of(cert);
    return new CertificateRow(cert, info, Pem.encode(cert), ProbeResultRepository.toJson(info.sans()));
  }

  static CertificateRow factsOnly(X509Certificate cert) {
    return new CertificateRow(cert, CertificateInfo.of(cert), null, null);
  }

  /** The PEM, worked out now when it was not prepared. */
  String pemText() {
    return pem != null ? pem : Pem.encode(cert);
  }

  /** The SANs as a JSON array, worked out now when they were not prepared. */
  String sansText() {
    return sansJson != null ? sansJson : ProbeResultRepository.toJson(info.sans());
  }
}
