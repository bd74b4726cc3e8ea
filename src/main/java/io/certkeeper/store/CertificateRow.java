package io.certkeeper.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.certkeeper.util.Json;
import io.certkeeper.x509.CertificateInfo;
import io.certkeeper.x509.Pem;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What a new row of {@code certificates} holds, worked out before any transaction: the facts, the
 * PEM and the SANs as JSON. An issuer prepares its row on its own thread, so the shared
 * transaction of a group commit ({@link GroupCommit}) only writes.
 */
record CertificateRow(X509Certificate cert, CertificateInfo info, String pem, String sansJson) {
  static CertificateRow of(X509Certificate cert) {
    CertificateInfo info = CertificateInfo.of(cert);
    return new CertificateRow(cert, info, Pem.encode(cert), toJson(info.sans()));
  }

  private static String toJson(List<String> values) {
    try {
      return Json.mapper().writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }
}
