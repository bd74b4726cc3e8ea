package io.certkeeper.x509;

import java.math.BigInteger;
import java.security.cert.CRLException;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * Revocation checked against the CRLs the caller supplied (RFC 5280 6.3). A CRL counts for a
 * certificate when it names the certificate's issuer and verifies with the key of a certificate
 * of that CA: the issuer on the path, another certificate of the same name on the path (a
 * self-issued key rollover), or a certificate of that name among the untrusted ones that a CA
 * above it on the path issued (a separate CRL-signing key; its own revocation is not checked).
 * Such a CRL must itself be usable: issuer allowed to sign CRLs, a non-critical cRLNumber, no
 * critical extension this code does not process; otherwise the revocation status is unknown and
 * the path is refused. Certificates without a matching CRL are not checked (no fetching here).
 */
final class RevocationCheck {
  private static final String CRL_NUMBER = ExtensionOids.CRL_NUMBER;
  private static final String AUTHORITY_KEY_ID = ExtensionOids.AUTHORITY_KEY_ID;
  private static final Set<String> UNDERSTOOD_CRL_CRITICAL =
      Set.of(CrlScope.ISSUING_DISTRIBUTION_POINT, CrlScope.DELTA_CRL_INDICATOR);

  private RevocationCheck() {}

  /**
   * Findings for {@code path} (leaf first, anchor last) under {@code crls} at {@code time}; when
   * {@code required}, a certificate that no current, usable CRL covers is a finding too.
   */
  static void check(List<ParsedCertificate> path, List<X509CRL> crls, Instant time, boolean required,
      Function<X500Principal, List<ParsedCertificate>> others, List<Finding> out) {
    for (int i = 0; i + 1 < path.size(); i++) {
      ParsedCertificate cert = path.get(i);
      ParsedCertificate issuer = path.get(i + 1);
      String who = i == 0 ? "leaf '" + cert.displayName() + "'"
          : "intermediate '" + cert.displayName() + "'";
      int reasonsCovered = 0;
      for (X509CRL crl : crls) {
        if (isDelta(crl) || !(crl.getIssuerX500Principal().equals(cert.issuer)
            || mayCoverIndirectly(crl, cert))) {
          continue;
        }
        ParsedCertificate signer = signer(crl, path, i, time, crls, others);
        if (signer == null) {
          continue;
        }
        String problem = unusable(crl, signer);
        int reasons = 0;
        if (problem == null) {
          try {
            reasons = CrlScope.reasons(crl, cert);
          } catch (IllegalArgumentException e) {
            problem = e.getMessage();
          }
        }
        if (problem != null) {
          out.add(new Finding(Problem.MALFORMED, "the CRL of '" + signer.displayName()
              + "' cannot be used to check " + who + ": " + problem));
          continue;
        }
        if (reasons == 0) {
          continue; // outside the CRL's scope
        }
        List<X509CRL> deltas = deltas(crl, crls, signer);
        // A CRL past its nextUpdate (or not yet issued) still proves a revocation, but not
        // that a certificate it does not list is good; nor does one whose delta is out of date.
        boolean current = current(crl, time);
        for (X509CRL delta : deltas) {
          current &= current(delta, time);
        }
        if (current) {
          reasonsCovered |= reasons;
        }
        X509CRLEntry entry = revocation(crl, deltas, cert);
        if (entry != null && !entry.getRevocationDate().toInstant().isAfter(time)) {
          out.add(new Finding(Problem.REVOKED, who + " (serial " + hex(cert.serial())
              + ") was revoked at " + entry.getRevocationDate().toInstant()));
        }
      }
      if (required && reasonsCovered != CrlScope.ALL_REASONS) {
        out.add(new Finding(Problem.REVOCATION_UNKNOWN, who + " is covered by no current CRL of '"
            + issuer.displayName() + "'" + (reasonsCovered == 0 ? "" : " for every revocation reason")));
      }
    }
  }

  private static boolean mayCoverIndirectly(X509CRL crl, ParsedCertificate cert) {
    try {
      return CrlScope.mayCoverIndirectly(crl, cert);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean isDelta(X509CRL crl) {
    return crl.getExtensionValue(CrlScope.DELTA_CRL_INDICATOR) != null;
  }

  /** The delta CRLs that apply to the complete CRL {@code base}: same issuer, key and scope, base number reached. */
  private static List<X509CRL> deltas(X509CRL base, List<X509CRL> crls, ParsedCertificate signer) {
    List<X509CRL> out = new ArrayList<>();
    BigInteger number;
    try {
      number = CrlScope.number(base);
    } catch (IllegalArgumentException e) {
      return out;
    }
    for (X509CRL crl : crls) {
      if (!isDelta(crl) || !crl.getIssuerX500Principal().equals(base.getIssuerX500Principal())
          || !CrlScope.sameScope(base, crl) || !verifies(crl, signer)) {
        continue;
      }
      try {
        BigInteger from = CrlScope.deltaBase(crl);
        if (number != null && from != null && from.compareTo(number) <= 0) {
          out.add(crl);
        }
      } catch (IllegalArgumentException e) {
        // a delta whose indicator does not parse applies to nothing
      }
    }
    return out;
  }

  /** The entry that revokes {@code cert} after applying {@code deltas} to {@code base}, or null. */
  private static X509CRLEntry revocation(X509CRL base, List<X509CRL> deltas, ParsedCertificate cert) {
    X509CRLEntry entry = base.getRevokedCertificate(cert.x509);
    for (X509CRL delta : deltas) {
      X509CRLEntry d = delta.getRevokedCertificate(cert.x509);
      if (d != null) {
        entry = d;
      }
    }
    if (entry != null && entry.getRevocationReason() == java.security.cert.CRLReason.REMOVE_FROM_CRL) {
      return null;
    }
    return entry;
  }

  /** Most certificates of the CRL issuer's name looked at among the untrusted ones. */
  private static final int MAX_OTHER_SIGNERS = 4;

  /** The certificate whose key signed {@code crl} for the certificate at {@code i}, or null. */
  private static ParsedCertificate signer(X509CRL crl, List<ParsedCertificate> path, int i, Instant time,
      List<X509CRL> crls, Function<X500Principal, List<ParsedCertificate>> others) {
    X500Principal name = crl.getIssuerX500Principal();
    List<ParsedCertificate> onPath = new ArrayList<>();
    for (int j = i + 1; j < path.size(); j++) {
      if (path.get(j).subject.equals(name)) {
        onPath.add(path.get(j));
      }
    }
    for (ParsedCertificate c : onPath) {
      if (verifies(crl, c)) {
        return c;
      }
    }
    int looked = 0;
    for (ParsedCertificate c : others.apply(name)) {
      if (onPath.contains(c) || ++looked > MAX_OTHER_SIGNERS) {
        continue;
      }
      if (time.isBefore(c.notBefore) || time.isAfter(c.notAfter) || !verifies(crl, c)) {
        continue;
      }
      for (int j = i + 1; j < path.size(); j++) {
        ParsedCertificate ca = path.get(j);
        if (ca.subject.equals(c.issuer) && Algorithms.verify(c, ca.publicKey)
            && !revokedBy(c, ca, crls)) {
          return c;
        }
      }
    }
    return null;
  }

  /** Whether a CRL of {@code ca} lists {@code c}: a CRL signer off the path, checked one level deep. */
  private static boolean revokedBy(ParsedCertificate c, ParsedCertificate ca, List<X509CRL> crls) {
    for (X509CRL crl : crls) {
      if (crl.getIssuerX500Principal().equals(ca.subject) && verifies(crl, ca)
          && crl.getRevokedCertificate(c.serial()) != null) {
        return true;
      }
    }
    return false;
  }

  private static boolean current(X509CRL crl, Instant time) {
    return !crl.getThisUpdate().toInstant().isAfter(time)
        && (crl.getNextUpdate() == null || !crl.getNextUpdate().toInstant().isBefore(time));
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
