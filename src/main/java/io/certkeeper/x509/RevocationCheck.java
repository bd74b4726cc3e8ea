package io.certkeeper.x509;

import java.math.BigInteger;
import java.security.cert.CRLException;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * Revocation checked against the CRLs the caller supplied (RFC 5280 6.3). A CRL counts for a
 * certificate when it names the certificate's issuer (or, as an indirect CRL, the cRLIssuer of the
 * certificate's distribution point) and verifies with the key of a certificate of that CA: the
 * issuer on the path, another certificate of the same name on the path (a self-issued key
 * rollover), or a certificate of that name among the untrusted ones that a CA above it on the path
 * issued and whose own status a current CRL of that CA vouches for (a separate CRL-signing key).
 * Such a CRL must itself be usable: signer allowed to sign CRLs, a signature algorithm the profile
 * accepts, a non-critical cRLNumber, no critical extension (on the CRL or an entry) this code does
 * not process; otherwise the revocation status is unknown and the path is refused. Of the delta
 * CRLs for a complete CRL, the current one with the highest number applies. Certificates without a
 * matching CRL are not checked (no fetching here) unless the caller requires it. Signature checks
 * are charged to the validation's {@link Budget} and remembered for the request.
 */
final class RevocationCheck {
  private static final String CRL_NUMBER = ExtensionOids.CRL_NUMBER;
  private static final String AUTHORITY_KEY_ID = ExtensionOids.AUTHORITY_KEY_ID;
  private static final Set<String> UNDERSTOOD_CRL_CRITICAL =
      Set.of(CrlScope.ISSUING_DISTRIBUTION_POINT, CrlScope.DELTA_CRL_INDICATOR);
  /** Certificates of a CRL issuer's name tried as its signer among the untrusted ones. */
  private static final int MAX_OTHER_SIGNERS = 4;

  /**
   * A CRL and a signer, by identity: X509CRL's own equals and hashCode read its whole encoding on
   * every call, which for a CRL of megabytes is the very cost these maps are there to save.
   */
  private record Pair(X509CRL crl, ParsedCertificate signer) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Pair p && p.crl == crl && p.signer == signer;
    }

    @Override
    public int hashCode() {
      return 31 * System.identityHashCode(crl) + System.identityHashCode(signer);
    }
  }

  private final List<X509CRL> crls;
  private final Instant time;
  private final boolean required;
  private final boolean webpki;
  private final Budget budget;
  private final Function<X500Principal, List<ParsedCertificate>> others;
  /** Signature checks already made for this request (a CRL and a key, by identity). */
  private final Map<Pair, Boolean> verified = new HashMap<>();
  /** Usability already judged for this request (see {@link #unusable}). */
  private final Map<Pair, Optional<String>> unusable = new HashMap<>();

  RevocationCheck(List<X509CRL> crls, Instant time, boolean required, boolean webpki, Budget budget,
      Function<X500Principal, List<ParsedCertificate>> others) {
    this.crls = crls;
    this.time = time;
    this.required = required;
    this.webpki = webpki;
    this.budget = budget;
    this.others = others;
  }

  /**
   * Findings for {@code path} (leaf first, anchor last); when required, a certificate that no
   * current, usable CRL covers for every reason is a finding too.
   */
  void check(List<ParsedCertificate> path, List<Finding> out) {
    for (int i = 0; i + 1 < path.size(); i++) {
      ParsedCertificate cert = path.get(i);
      ParsedCertificate issuer = path.get(i + 1);
      String who = i == 0 ? "leaf '" + cert.displayName() + "'"
          : "intermediate '" + cert.displayName() + "'";
      int reasonsCovered = 0;
      for (X509CRL crl : crls) {
        if (isDelta(crl) || !(crl.getIssuerX500Principal().equals(cert.issuer) || indirect(crl, cert))) {
          continue;
        }
        ParsedCertificate signer = signer(crl, path, i);
        if (signer == null) {
          continue;
        }
        String problem = unusable(crl, signer);
        int reasons = 0;
        if (problem == null) {
          try {
            reasons = CrlScope.reasons(crl, cert);
          } catch (RuntimeException e) {
            problem = "its scope cannot be read (" + io.certkeeper.util.ErrorText.reason(e) + ")";
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
        List<X509CRL> deltas = deltasOf(crl, signer);
        X509CRL delta = newestCurrent(deltas);
        // A CRL past its nextUpdate (or not yet issued) still proves a revocation, but not
        // that a certificate it does not list is good; nor does one whose deltas are all stale.
        if (current(crl) && (delta != null || deltas.isEmpty())) {
          reasonsCovered |= reasons;
        }
        X509CRLEntry entry = revocation(crl, delta, cert);
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

  private static boolean indirect(X509CRL crl, ParsedCertificate cert) {
    try {
      return CrlScope.mayCoverIndirectly(crl, cert);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static boolean isDelta(X509CRL crl) {
    return crl.getExtensionValue(CrlScope.DELTA_CRL_INDICATOR) != null;
  }

  /** The deltas that may apply to the complete CRL {@code base}: same issuer, scope and key, base number reached. */
  private List<X509CRL> deltasOf(X509CRL base, ParsedCertificate signer) {
    List<X509CRL> out = new ArrayList<>();
    BigInteger number;
    try {
      number = CrlScope.number(base);
    } catch (RuntimeException e) {
      return out;
    }
    if (number == null) {
      return out;
    }
    for (X509CRL crl : crls) {
      if (!isDelta(crl) || !crl.getIssuerX500Principal().equals(base.getIssuerX500Principal())) {
        continue;
      }
      try {
        BigInteger from = CrlScope.deltaBase(crl);
        BigInteger own = CrlScope.number(crl);
        // RFC 5280 5.2.4: a delta names the complete CRL it starts from and numbers after it.
        if (from != null && own != null && from.compareTo(number) <= 0 && own.compareTo(number) > 0
            && CrlScope.sameScope(base, crl) && verifies(crl, signer) && unusable(crl, signer) == null) {
          out.add(crl);
        }
      } catch (RuntimeException e) {
        // a delta whose numbers do not parse applies to nothing
      }
    }
    return out;
  }

  /** Of a complete CRL's {@code deltas}, the current one with the highest number, or null (RFC 5280 6.3.3 (c)). */
  private X509CRL newestCurrent(List<X509CRL> deltas) {
    X509CRL best = null;
    BigInteger bestNumber = null;
    for (X509CRL d : deltas) {
      if (!current(d)) {
        continue;
      }
      BigInteger n = CrlScope.number(d);
      if (bestNumber == null || n.compareTo(bestNumber) > 0) {
        best = d;
        bestNumber = n;
      }
    }
    return best;
  }

  /** The entry that revokes {@code cert}: the delta's when it lists it, else the complete CRL's; null when none. */
  private static X509CRLEntry revocation(X509CRL base, X509CRL delta, ParsedCertificate cert) {
    X509CRLEntry entry = base.getRevokedCertificate(cert.x509);
    if (delta != null) {
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

  /** The certificate whose key signed {@code crl} for the certificate at {@code i}, or null. */
  private ParsedCertificate signer(X509CRL crl, List<ParsedCertificate> path, int i) {
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
    int tried = 0;
    for (ParsedCertificate c : others.apply(name)) {
      if (onPath.contains(c) || time.isBefore(c.notBefore) || time.isAfter(c.notAfter)
          || !c.allows(KeyUsage.cRLSign)) {
        continue;
      }
      ParsedCertificate ca = issuerOnPath(c, path, i);
      if (ca == null) {
        continue; // not issued by a CA of this path: a decoy does not use up the tries
      }
      if (++tried > MAX_OTHER_SIGNERS) {
        break;
      }
      if (verifies(crl, c) && vouchedFor(c, ca)) {
        return c;
      }
    }
    return null;
  }

  /** The CA above position {@code i} on the path whose key signed {@code c}, or null. */
  private ParsedCertificate issuerOnPath(ParsedCertificate c, List<ParsedCertificate> path, int i) {
    for (int j = i + 1; j < path.size(); j++) {
      ParsedCertificate ca = path.get(j);
      if (ca.subject.equals(c.issuer) && budget.spendSignatureCheck() && Algorithms.verify(c, ca.publicKey)) {
        return ca;
      }
    }
    return null;
  }

  /**
   * Whether a current, usable CRL covers the CRL-signing certificate {@code c} and does not list
   * it: one of {@code ca}'s own, or an indirect CRL that {@code c}'s distribution point names and
   * {@code c} itself signed. A signer off the path is checked this one level deep.
   */
  private boolean vouchedFor(ParsedCertificate c, ParsedCertificate ca) {
    boolean covered = false;
    for (X509CRL crl : crls) {
      if (isDelta(crl)) {
        continue;
      }
      ParsedCertificate by;
      if (crl.getIssuerX500Principal().equals(c.issuer) && verifies(crl, ca)) {
        by = ca;
      } else if (indirect(crl, c) && verifies(crl, c)) {
        by = c;
      } else {
        continue;
      }
      if (unusable(crl, by) != null) {
        continue;
      }
      if (crl.getRevokedCertificate(c.x509) != null) {
        return false;
      }
      try {
        covered |= current(crl) && CrlScope.reasons(crl, c) != 0;
      } catch (RuntimeException e) {
        // a scope that cannot be read vouches for nothing
      }
    }
    return covered;
  }

  private boolean current(X509CRL crl) {
    return !crl.getThisUpdate().toInstant().isAfter(time)
        && (crl.getNextUpdate() == null || !crl.getNextUpdate().toInstant().isBefore(time));
  }

  /** Whether {@code signer}'s key verifies {@code crl}; charged to the budget once per pair. */
  private boolean verifies(X509CRL crl, ParsedCertificate signer) {
    return verified.computeIfAbsent(new Pair(crl, signer), p -> {
      Algorithms.SignatureAlgorithm algorithm = Algorithms.signature(crl.getSigAlgOID());
      if (algorithm == null || !budget.spendSignatureCheck()) {
        return false;
      }
      try {
        return Algorithms.verify(algorithm.jcaName(), crl.getSigAlgParams(), signer.publicKey,
            crl.getTBSCertList(), crl.getSignature());
      } catch (CRLException e) {
        return false;
      }
    });
  }

  /**
   * Why {@code crl} signed by {@code signer} cannot be used, or null. Remembered per request: it
   * looks at every entry, and a large CRL is consulted for every certificate of every candidate path.
   */
  private String unusable(X509CRL crl, ParsedCertificate signer) {
    return unusable.computeIfAbsent(new Pair(crl, signer), p -> Optional.ofNullable(whyUnusable(crl, signer)))
        .orElse(null);
  }

  private String whyUnusable(X509CRL crl, ParsedCertificate signer) {
    if (!signer.allows(KeyUsage.cRLSign)) {
      return "the issuer's keyUsage does not allow cRLSign";
    }
    Algorithms.SignatureAlgorithm algorithm = Algorithms.signature(crl.getSigAlgOID());
    if (algorithm != null && algorithm.weak() && (webpki || !algorithm.legacy())) {
      return "it is signed with " + algorithm.displayName() + ", which is no longer accepted";
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
    var revoked = crl.getRevokedCertificates();
    if (revoked != null) {
      for (X509CRLEntry entry : revoked) {
        if (entry.hasUnsupportedCriticalExtension()) {
          return "an entry has an unsupported critical extension";
        }
      }
    }
    return null;
  }

  private static String hex(BigInteger serial) {
    return serial.toString(16);
  }
}
