package io.certkeeper.x509;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Function;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/**
 * Judges one candidate path (leaf first) against RFC 5280 section 6 and the CA/Browser Forum
 * rules a TLS client applies, returning every finding. Path building only decides which paths to
 * look at; every rule lives here.
 */
final class PathEvaluator {
  /** How a candidate path ends. */
  enum Ending {
    /** At a trust anchor (possibly the leaf itself). */
    ANCHORED,
    /** At a self-signed certificate that is not an anchor. */
    UNTRUSTED_SELF_SIGNED,
    /** At a certificate whose issuer is not among the certificates given. */
    ISSUER_MISSING,
    /** At a certificate whose possible issuers' signatures all failed. */
    BAD_SIGNATURE,
    /** Where path building ran out of budget or depth. */
    GAVE_UP
  }

  private final ValidationRequest request;
  private final Instant time;
  private final Budget budget;
  /** The leaf's purpose as an EKU, or null for {@link Purpose#ANY}. */
  private final KeyPurposeId purposeId;
  private final boolean webpki;

  /** Certificates by subject beyond the path (the untrusted ones and the anchors): CRL signers. */
  private final Function<X500Principal, List<ParsedCertificate>> others;
  /** Made for the first complete path; its signature checks are remembered across candidates. */
  private RevocationCheck revocationCheck;

  PathEvaluator(ValidationRequest request, Budget budget,
      Function<X500Principal, List<ParsedCertificate>> others) {
    this.request = request;
    this.others = others;
    // Validity is encoded in whole seconds: compare at that granularity (floor).
    this.time = request.time().truncatedTo(ChronoUnit.SECONDS);
    this.budget = budget;
    this.purposeId = switch (request.purpose()) {
      case SERVER -> KeyPurposeId.id_kp_serverAuth;
      case CLIENT -> KeyPurposeId.id_kp_clientAuth;
      case ANY -> null;
    };
    this.webpki = request.profile() == Profile.WEBPKI;
  }

  List<Finding> evaluate(List<ParsedCertificate> path, Ending ending) {
    LinkedHashSet<Finding> out = new LinkedHashSet<>();
    int n = path.size();
    boolean anchored = ending == Ending.ANCHORED;
    for (int i = 0; i < n; i++) {
      ParsedCertificate cert = path.get(i);
      String who = role(i, n, anchored) + " '" + cert.displayName() + "'";
      boolean top = i == n - 1;
      boolean signedOnPath = !top || (!anchored && ending != Ending.UNTRUSTED_SELF_SIGNED);
      boolean vetted = top && anchored && cert.vettedAnchor;
      for (Finding f : cert.defects) {
        if (!vetted || f.problem() != Problem.MALFORMED) {
          out.add(about(who, f));
        }
      }
      if (webpki) {
        for (Finding f : cert.webDefects) {
          if (!vetted || f.problem() != Problem.MALFORMED) {
            out.add(about(who, f));
          }
        }
      }
      if (signedOnPath) {
        for (Finding f : cert.issuedDefects) {
          out.add(about(who, f));
        }
        if (webpki) {
          for (Finding f : cert.webIssuedDefects) {
            out.add(about(who, f));
          }
        }
      }
      checkValidity(cert, who, out);
      if (top && anchored && n > 1 && !vetted) {
        checkRoot(cert, who, out);
      }
      if (i == 0) {
        checkLeaf(cert, who, n == 1 && anchored, out);
      } else {
        checkIssuer(path, i, who, vetted, out);
      }
    }
    checkDepth(path, anchored, out);
    if (anchored && n > 1) {
      String policy = PolicyTree.check(path, request.policy(), budget);
      if (policy != null) {
        out.add(new Finding(Problem.POLICY_VIOLATION, policy));
      }
    }
    if (anchored && (!request.crls().isEmpty() || request.requireRevocationCheck())) {
      List<Finding> revocation = new ArrayList<>();
      if (revocationCheck == null) {
        revocationCheck = new RevocationCheck(request.crls(), time, request.requireRevocationCheck(), webpki,
            budget, others);
      }
      revocationCheck.check(path, revocation);
      out.addAll(revocation);
    }
    ParsedCertificate last = path.get(n - 1);
    String lastName = "'" + last.displayName() + "'";
    switch (ending) {
      case ANCHORED -> { }
      case UNTRUSTED_SELF_SIGNED -> out.add(n == 1
          ? new Finding(Problem.SELF_SIGNED, "leaf " + lastName
              + " is self-signed and not a trust anchor")
          : new Finding(Problem.UNTRUSTED_ROOT, "the chain ends at " + lastName
              + ", which is not a trust anchor"));
      case ISSUER_MISSING -> out.add(new Finding(Problem.INCOMPLETE_CHAIN, "no issuer found for "
          + lastName + " (issued by '" + last.issuer.getName() + "')"));
      case BAD_SIGNATURE -> out.add(new Finding(Problem.BAD_SIGNATURE, "the signature on "
          + lastName + " does not verify with the key of any certificate named '"
          + last.issuer.getName() + "'"));
      case GAVE_UP -> out.add(new Finding(Problem.INCOMPLETE_CHAIN, "no path to a trust anchor"
          + " found within the limits (" + Budget.MAX_SIGNATURE_CHECKS + " signatures, "
          + ChainValidator.MAX_INTERMEDIATES + " intermediates) above " + lastName));
      default -> throw new AssertionError(ending);
    }
    return new ArrayList<>(out);
  }

  private static String role(int i, int n, boolean anchored) {
    if (i == 0) {
      return "leaf";
    }
    if (i == n - 1) {
      return anchored ? "trust anchor" : "root";
    }
    return "intermediate";
  }

  private static Finding about(String who, Finding finding) {
    return new Finding(finding.problem(), who + " " + finding.detail());
  }

  /** CA/Browser Forum 7.1.2.1.3: a root's authorityKeyIdentifier is just its own key id; 7.1.2.1.2: no extKeyUsage. */
  private void checkRoot(ParsedCertificate root, String who, LinkedHashSet<Finding> out) {
    if (webpki && root.selfIssued && root.extendedKeyUsage != null) {
      out.add(new Finding(Problem.MALFORMED, who + " is a root with an extendedKeyUsage extension"));
    }
    if (!root.selfIssued || root.authorityKeyId == null) {
      return;
    }
    if (root.authorityKeyIdHasIssuer) {
      out.add(new Finding(Problem.MALFORMED, who + " has authorityCertIssuer or"
          + " authorityCertSerialNumber in its authorityKeyIdentifier"));
    }
    if (root.subjectKeyId != null && !Arrays.equals(root.authorityKeyId, root.subjectKeyId)) {
      out.add(new Finding(Problem.MALFORMED, who + " has an authorityKeyIdentifier that differs"
          + " from its subjectKeyIdentifier"));
    }
  }

  private void checkValidity(ParsedCertificate cert, String who, LinkedHashSet<Finding> out) {
    if (time.isAfter(cert.notAfter)) {
      out.add(new Finding(Problem.EXPIRED, who + " expired at " + cert.notAfter));
    }
    if (time.isBefore(cert.notBefore)) {
      out.add(new Finding(Problem.NOT_YET_VALID, who + " is not valid before " + cert.notBefore));
    }
  }

  /** Purposes a Web PKI TLS leaf must not combine with serverAuth or clientAuth (BR 7.1.2.7.10). */
  private static final List<KeyPurposeId> NOT_WITH_TLS = List.of(KeyPurposeId.id_kp_codeSigning,
      KeyPurposeId.id_kp_timeStamping, KeyPurposeId.id_kp_OCSPSigning);

  /**
   * The leaf's own rules. Under the Web PKI profile its extendedKeyUsage must name the purpose
   * explicitly, without anyExtendedKeyUsage or a non-TLS purpose beside it (BR 7.1.2.7.10), unless
   * the leaf is itself a trust anchor (a pinned certificate): then, as under RFC 5280, an absent
   * extendedKeyUsage allows any purpose.
   */
  private void checkLeaf(ParsedCertificate leaf, String who, boolean pinned, LinkedHashSet<Finding> out) {
    if (purposeId != null && webpki && !pinned) {
      List<KeyPurposeId> eku = leaf.extendedKeyUsage;
      if (eku == null) {
        out.add(new Finding(Problem.WRONG_EKU, who + " has no extendedKeyUsage; " + purposeName()
            + " is required"));
      } else if (!eku.contains(purposeId)) {
        out.add(new Finding(Problem.WRONG_EKU, who + " has an extendedKeyUsage without "
            + purposeName() + (eku.contains(KeyPurposeId.anyExtendedKeyUsage)
                ? " (anyExtendedKeyUsage does not stand for it)" : "")));
      } else if (eku.contains(KeyPurposeId.anyExtendedKeyUsage)) {
        out.add(new Finding(Problem.WRONG_EKU, who + " has anyExtendedKeyUsage beside " + purposeName()));
      } else {
        for (KeyPurposeId other : NOT_WITH_TLS) {
          if (eku.contains(other)) {
            out.add(new Finding(Problem.WRONG_EKU, who + " combines " + purposeName() + " with "
                + ekuName(other) + " in its extendedKeyUsage"));
          }
        }
      }
      if (leaf.extendedKeyUsageCritical) {
        out.add(new Finding(Problem.MALFORMED, who + " marks extendedKeyUsage critical"));
      }
    } else if (!allowsPurpose(leaf)) {
      out.add(new Finding(Problem.WRONG_EKU, who + " has an extendedKeyUsage without "
          + purposeName()));
    }
    if (request.purpose() == Purpose.SERVER) {
      Finding cn = CommonNameRule.check(leaf);
      if (cn != null) {
        out.add(about(who, cn));
      }
    }
    request.peerName().ifPresent(name -> {
      Finding mismatch = HostnameMatcher.check(leaf, name);
      if (mismatch != null) {
        out.add(about(who, mismatch));
      }
    });
  }

  private void checkIssuer(List<ParsedCertificate> path, int i, String who, boolean vetted,
      LinkedHashSet<Finding> out) {
    ParsedCertificate ca = path.get(i);
    String issued = "'" + path.get(i - 1).displayName() + "'";
    if (!ca.isCaCertificate()) {
      out.add(new Finding(Problem.INVALID_BASIC_CONSTRAINTS, who + " issued " + issued
          + " but is not a CA (basicConstraints cA is not set)"));
    } else if (webpki && !ca.basicConstraintsCritical && !vetted) {
      out.add(new Finding(Problem.INVALID_BASIC_CONSTRAINTS, who
          + " is a CA whose basicConstraints extension is not critical"));
    }
    if (webpki && purposeId != null && ca.extendedKeyUsage != null
        && !ca.extendedKeyUsage.contains(purposeId)) {
      out.add(new Finding(Problem.WRONG_EKU, who + " has an extendedKeyUsage without "
          + purposeName() + (ca.extendedKeyUsage.contains(KeyPurposeId.anyExtendedKeyUsage)
              ? " (anyExtendedKeyUsage does not stand for it)" : "")));
    } else if (!allowsPurpose(ca)) {
      out.add(new Finding(Problem.WRONG_EKU, who + " restricts its extendedKeyUsage to purposes"
          + " without " + purposeName()));
    }
    if (ca.pathLen >= 0) {
      int below = 0;
      for (int j = 1; j < i; j++) {
        if (!path.get(j).selfIssued) {
          below++;
        }
      }
      if (below > ca.pathLen) {
        out.add(new Finding(Problem.PATH_LEN_EXCEEDED, who + " allows " + ca.pathLen
            + " CA certificates below it (pathLenConstraint) but has " + below));
      }
    }
    if (ca.nameConstraints != null) {
      for (int j = 0; j < i; j++) {
        ParsedCertificate subject = path.get(j);
        if (j > 0 && subject.selfIssued) {
          continue; // RFC 5280 4.2.1.10: not applied to self-issued intermediates
        }
        Finding violation = ca.nameConstraints.check(subject, ca.displayName(), budget);
        if (violation != null) {
          out.add(violation);
          break;
        }
      }
    }
  }

  private void checkDepth(List<ParsedCertificate> path, boolean anchored,
      LinkedHashSet<Finding> out) {
    if (request.maxDepth().isEmpty()) {
      return;
    }
    int max = request.maxDepth().getAsInt();
    int end = anchored ? path.size() - 1 : path.size();
    int intermediates = 0;
    for (int j = 1; j < end; j++) {
      if (!path.get(j).selfIssued) {
        intermediates++;
      }
    }
    if (intermediates > max) {
      out.add(new Finding(Problem.PATH_LEN_EXCEEDED, "the path has " + intermediates
          + " intermediates; at most " + max + " are allowed"));
    }
  }

  private boolean allowsPurpose(ParsedCertificate cert) {
    if (purposeId == null || cert.extendedKeyUsage == null) {
      return true;
    }
    for (KeyPurposeId id : cert.extendedKeyUsage) {
      if (id.equals(purposeId) || id.equals(KeyPurposeId.anyExtendedKeyUsage)) {
        return true;
      }
    }
    return false;
  }

  private String purposeName() {
    return request.purpose() == Purpose.SERVER ? "serverAuth" : "clientAuth";
  }

  private static String ekuName(KeyPurposeId id) {
    if (id.equals(KeyPurposeId.id_kp_codeSigning)) {
      return "codeSigning";
    }
    return id.equals(KeyPurposeId.id_kp_timeStamping) ? "timeStamping" : "OCSPSigning";
  }
}
