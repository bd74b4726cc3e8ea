package io.certkeeper.x509;

import java.io.IOException;
import java.math.BigInteger;
import java.security.cert.X509CRL;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import org.bouncycastle.asn1.x509.ReasonFlags;

/**
 * The scope of a CRL (RFC 5280 5.2.5 issuingDistributionPoint, 6.3.3 (b)): whether it covers a
 * certificate, for which revocation reasons, and its numbers (cRLNumber, and deltaCRLIndicator's
 * base number for a delta CRL). An indirect CRL covers certificates of another issuer when their
 * distribution point names the CRL's issuer as cRLIssuer.
 */
final class CrlScope {
  static final String ISSUING_DISTRIBUTION_POINT = "2.5.29.28";
  static final String DELTA_CRL_INDICATOR = "2.5.29.27";
  private static final String CRL_DISTRIBUTION_POINTS = "2.5.29.31";

  /** Every revocation reason RFC 5280 5.3.1 defines, as {@link ReasonFlags} bits. */
  static final int ALL_REASONS = ReasonFlags.keyCompromise | ReasonFlags.cACompromise
      | ReasonFlags.affiliationChanged | ReasonFlags.superseded | ReasonFlags.cessationOfOperation
      | ReasonFlags.certificateHold | ReasonFlags.privilegeWithdrawn | ReasonFlags.aACompromise;

  private CrlScope() {}

  /** The extension's value, or null when absent; throws IllegalArgumentException when it does not parse. */
  static ASN1Primitive extension(byte[] wrapped) {
    if (wrapped == null) {
      return null;
    }
    try {
      return ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(wrapped).getOctets());
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("an extension does not parse: " + e.getMessage(), e);
    }
  }

  static BigInteger number(X509CRL crl) {
    ASN1Primitive n = extension(crl.getExtensionValue(ExtensionOids.CRL_NUMBER));
    return n == null ? null : ASN1Integer.getInstance(n).getValue();
  }

  /** A delta CRL's base CRL number, or null for a complete CRL. */
  static BigInteger deltaBase(X509CRL crl) {
    ASN1Primitive n = extension(crl.getExtensionValue(DELTA_CRL_INDICATOR));
    return n == null ? null : ASN1Integer.getInstance(n).getValue();
  }

  /** The IDP's encoding, for comparing the scopes of a complete CRL and a delta CRL. */
  static byte[] idpEncoding(X509CRL crl) {
    byte[] v = crl.getExtensionValue(ISSUING_DISTRIBUTION_POINT);
    return v == null ? new byte[0] : v;
  }

  static boolean sameScope(X509CRL a, X509CRL b) {
    return Arrays.equals(idpEncoding(a), idpEncoding(b));
  }

  /**
   * The reasons for which {@code crl} covers {@code cert} (bits of {@link ReasonFlags}), or 0
   * when the certificate is outside its scope.
   */
  static int reasons(X509CRL crl, ParsedCertificate cert) {
    ASN1Primitive value = extension(crl.getExtensionValue(ISSUING_DISTRIBUTION_POINT));
    if (value == null) {
      return ALL_REASONS;
    }
    IssuingDistributionPoint idp = IssuingDistributionPoint.getInstance(value);
    if (idp.onlyContainsAttributeCerts()) {
      return 0;
    }
    boolean otherIssuer = !crl.getIssuerX500Principal().equals(cert.issuer);
    if (otherIssuer && !(idp.isIndirectCRL() && namesCrlIssuer(cert, crlIssuer(crl)))) {
      return 0;
    }
    boolean ca = cert.isCaCertificate();
    if ((idp.onlyContainsUserCerts() && ca) || (idp.onlyContainsCACerts() && !ca)) {
      return 0;
    }
    int reasons = ALL_REASONS;
    if (idp.getDistributionPoint() != null) {
      List<GeneralName> idpNames = names(idp.getDistributionPoint(), crlIssuer(crl));
      // RFC 5280 6.3.3 (d): only the reasons of the certificate's matching point
      reasons = matchingPointReasons(cert, idpNames, crlIssuer(crl));
    }
    ReasonFlags only = idp.getOnlySomeReasons();
    return only == null ? reasons : reasons & only.intValue();
  }

  /**
   * Whether {@code crl}, issued by another entity than the certificate's issuer, may cover it: an
   * indirect CRL (IDP indirectCRL) whose issuer one of the certificate's distribution points names
   * as its cRLIssuer.
   */
  static boolean mayCoverIndirectly(X509CRL crl, ParsedCertificate cert) {
    ASN1Primitive value = extension(crl.getExtensionValue(ISSUING_DISTRIBUTION_POINT));
    return value != null && IssuingDistributionPoint.getInstance(value).isIndirectCRL()
        && namesCrlIssuer(cert, crlIssuer(crl));
  }

  private static boolean namesCrlIssuer(ParsedCertificate cert, X500Name crlIssuer) {
    ASN1Primitive value = extension(cert.x509.getExtensionValue(CRL_DISTRIBUTION_POINTS));
    if (value == null) {
      return false;
    }
    GeneralName wanted = new GeneralName(crlIssuer);
    for (DistributionPoint dp : CRLDistPoint.getInstance(value).getDistributionPoints()) {
      if (dp.getCRLIssuer() != null && Arrays.asList(dp.getCRLIssuer().getNames()).contains(wanted)) {
        return true;
      }
    }
    return false;
  }

  private static X500Name crlIssuer(X509CRL crl) {
    return X500Name.getInstance(crl.getIssuerX500Principal().getEncoded());
  }

  /**
   * The reasons (its {@code reasons} field, or all) of the certificate's distribution points that
   * name one of {@code idpNames}; 0 when none does.
   */
  private static int matchingPointReasons(ParsedCertificate cert, List<GeneralName> idpNames,
      X500Name crlIssuer) {
    ASN1Primitive value = extension(cert.x509.getExtensionValue(CRL_DISTRIBUTION_POINTS));
    if (value == null) {
      return 0;
    }
    int reasons = 0;
    X500Name certIssuer = X500Name.getInstance(cert.issuer.getEncoded());
    for (DistributionPoint dp : CRLDistPoint.getInstance(value).getDistributionPoints()) {
      // RFC 5280 6.3.3 (b)(1): a point with cRLIssuer is served by that issuer's CRLs only, one
      // without by the certificate issuer's.
      X500Name servedBy = certIssuer;
      if (dp.getCRLIssuer() != null) {
        servedBy = null;
        for (GeneralName n : dp.getCRLIssuer().getNames()) {
          if (n.getTagNo() == GeneralName.directoryName && X500Name.getInstance(n.getName()).equals(crlIssuer)) {
            servedBy = crlIssuer;
          }
        }
      }
      if (servedBy == null || !servedBy.equals(crlIssuer)) {
        continue;
      }
      List<GeneralName> names = new ArrayList<>();
      if (dp.getDistributionPoint() != null) {
        names.addAll(names(dp.getDistributionPoint(), servedBy));
      } else if (dp.getCRLIssuer() != null) {
        names.addAll(Arrays.asList(dp.getCRLIssuer().getNames()));
      }
      for (GeneralName n : names) {
        if (idpNames.contains(n)) {
          reasons |= dp.getReasons() == null ? ALL_REASONS : dp.getReasons().intValue() & ALL_REASONS;
          break;
        }
      }
    }
    return reasons;
  }

  /** A distribution point's names, a name relative to the issuer made a full directory name. */
  private static List<GeneralName> names(DistributionPointName dpn, X500Name issuer) {
    ASN1Encodable name = dpn.getName();
    if (dpn.getType() == DistributionPointName.FULL_NAME) {
      return Arrays.asList(GeneralNames.getInstance(name).getNames());
    }
    RDN[] base = issuer.getRDNs();
    RDN[] full = Arrays.copyOf(base, base.length + 1);
    full[base.length] = RDN.getInstance(name);
    return List.of(new GeneralName(new X500Name(full)));
  }
}
