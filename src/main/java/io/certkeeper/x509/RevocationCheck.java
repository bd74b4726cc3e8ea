package io.certkeeper.x509;

import java.math.BigInteger;
import java.security.cert.CRLException;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * Revocation checked against the CRLs the caller supplied (RFC 5280 6.3). A CRL counts for a
 * certificate when it names the certificate's issuer and verifies with the key of the issuer on
 * the path.
 * Such a CRL must itself be usable: issuer allowed to sign CRLs, a non-critical cRLNumber, no
 * critical extension this code does not process; otherwise the revocation status is unknown and
 * the path is refused. Certificates without a matching CRL are not checked (no fetching here).
 */
final class RevocationCheck {
  private static final String CRL_NUMBER = ExtensionOids.CRL_NUMBER;
  private static final String AUTHORITY_KEY_ID = ExtensionOids.AUTHORITY_KEY_ID;
  private static final Set<String> UNDERSTOOD_CRL_CRITICAL = Set.of();

  private RevocationCheck() {}

  /** Findings for {@code path} (leaf first, anchor last) under {@code crls} at {@code time}. */
  static void check(List<ParsedCertificate> path, List<X509CRL> crls, Instant time,
      List<Finding> out) {
    for (int i = 0; i + 1 < path.size(); i++) {
      ParsedCertificate cert = path.get(i);
      ParsedCertificate issuer = path.get(i + 1);
      for (X509CRL crl : crls) {
        if (!crl.getIssuerX500Principal().equals(cert.issuer) || !verifies(crl, issuer)) {
          continue;
        }
        String problem = unusable(crl, issuer);
        String who = i == 0 ? "leaf '" + cert.displayName() + "'"
            : "intermediate '" + cert.displayName() + "'";
        if (problem != null) {
          out.add(new Finding(Problem.MALFORMED, "the CRL of '" + issuer.displayName()
              + "' cannot be used to check " + who + ": " + problem));
          continue;
        }
        X509CRLEntry entry = crl.getRevokedCertificate(cert.serial());
        if (entry != null && !entry.getRevocationDate().toInstant().isAfter(time)) {
          out.add(new Finding(Problem.REVOKED, who + " (serial " + hex(cert.serial())
              + ") was revoked at " + entry.getRevocationDate().toInstant()));
        }
      }
    }
  }

  private static boolean verifies(X509CRL crl, ParsedCertificate issuer) {
    Algorithms.SignatureAlgorithm algorithm = Algorithms.signature(crl.getSigAlgOID());
    if (algorithm == null) {
      return false;
    }
    try {
      return Algorithms.verify(algorithm.jcaName(), crl.getSigAlgParams(), issuer.publicKey,
          crl.getTBSCertList(), crl.getSignature());
    } catch (CRLException e) {
      return false;
    }
  }

  private static String unusable(X509CRL crl, ParsedCertificate issuer) {
    if (!issuer.allows(KeyUsage.cRLSign)) {
      return "the issuer's keyUsage does not allow cRLSign";
    }
    if (crl.getExtensionValue(CRL_NUMBER) == null) {
      return "it has no cRLNumber";
    }
    Set<String> critical = crl.getCriticalExtensionOIDs();
    if (critical != null) {
      if (critical.contains(CRL_NUMBER) || critical.contains(AUTHORITY_KEY_ID)) {
        return "it marks cRLNumber or authorityKeyIdentifier critical";
      }
      for (String oid : critical) {
        if (!UNDERSTOOD_CRL_CRITICAL.contains(oid)) {
          return "it has the unsupported critical extension " + oid;
        }
      }
    }
    return null;
  }

  private static String hex(BigInteger serial) {
    return serial.toString(16);
  }
}
