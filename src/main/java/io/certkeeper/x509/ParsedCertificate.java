package io.certkeeper.x509;

import java.math.BigInteger;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.PolicyConstraints;
import org.bouncycastle.asn1.x509.PolicyInformation;
import org.bouncycastle.asn1.x509.PolicyQualifierInfo;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.TBSCertificate;

/**
 * One certificate taken apart once: the fields path building and checking need, and the defects
 * that do not depend on where the certificate sits in a path. Parsing never throws: whatever
 * cannot be read becomes a {@link Problem#MALFORMED} defect. Immutable, so trust anchors are
 * parsed once and shared between threads.
 */
final class ParsedCertificate {
  private static final int MAX_SERIAL_OCTETS = 20;

  final X509Certificate x509;
  final byte[] encoded;
  final X500Principal subject;
  final X500Principal issuer;
  final X500Name subjectName;
  final boolean selfIssued;
  final PublicKey publicKey;
  final byte[] spki;
  final Instant notBefore;
  final Instant notAfter;
  final byte[] tbs;
  final byte[] signature;
  final Algorithms.SignatureAlgorithm signatureAlgorithm;
  final String signatureAlgorithmOid;
  final byte[] signatureParameters;
  /** Why the encoding is refused before parsing ({@link Asn1Limits}), or null. */
  private final String encodingProblem;

  boolean hasBasicConstraints;
  boolean basicConstraintsCritical;
  boolean ca;
  int pathLen = -1;
  KeyUsage keyUsage;
  List<KeyPurposeId> extendedKeyUsage;
  boolean extendedKeyUsageCritical;
  final List<GeneralName> subjectAltNames = new ArrayList<>();
  final List<String> dnsNames = new ArrayList<>();
  final List<byte[]> ipAddresses = new ArrayList<>();
  final List<String> emails = new ArrayList<>();
  final List<String> commonNames = new ArrayList<>();
  final List<String> subjectEmails = new ArrayList<>();
  NameConstraintSet nameConstraints;
  byte[] subjectKeyId;
  byte[] authorityKeyId;
  boolean authorityKeyIdHasIssuer;
  /** The certificatePolicies OIDs in order, or null without the extension. */
  List<String> policies;
  /** policyMappings as {issuerDomainPolicy, subjectDomainPolicy} pairs, or null without it. */
  List<String[]> policyMappings;
  /** policyConstraints' requireExplicitPolicy, inhibitPolicyMapping; inhibitAnyPolicy: -1 when absent. */
  int requireExplicitPolicy = -1;
  int inhibitPolicyMapping = -1;
  int inhibitAnyPolicy = -1;

  /**
   * A root from a curated store (the JDK's cacerts): its substance is still checked (validity,
   * key, CA, constraints), but not its encoding profile, which root programs already vetted.
   */
  final boolean vettedAnchor;

  /** Defects wherever the certificate is, trust anchors included. */
  final List<Finding> defects = new ArrayList<>();
  /** Defects that only count below the trust anchor (issuance rules, its own signature). */
  final List<Finding> issuedDefects = new ArrayList<>();
  /** Like {@link #defects}, under {@link Profile#WEBPKI} only. */
  final List<Finding> webDefects = new ArrayList<>();
  /** Like {@link #issuedDefects}, under {@link Profile#WEBPKI} only. */
  final List<Finding> webIssuedDefects = new ArrayList<>();

  private ParsedCertificate(X509Certificate cert, byte[] encoded, boolean vettedAnchor) {
    this.x509 = cert;
    this.vettedAnchor = vettedAnchor;
    this.encoded = encoded;
    this.subject = cert.getSubjectX500Principal();
    this.issuer = cert.getIssuerX500Principal();
    this.selfIssued = subject.equals(issuer);
    this.publicKey = cert.getPublicKey();
    this.spki = publicKey.getEncoded();
    this.notBefore = cert.getNotBefore().toInstant();
    this.notAfter = cert.getNotAfter().toInstant();
    this.tbs = tbsOf(cert);
    this.signature = cert.getSignature();
    this.signatureAlgorithmOid = cert.getSigAlgOID();
    this.signatureAlgorithm = Algorithms.signature(signatureAlgorithmOid);
    this.signatureParameters = cert.getSigAlgParams();
    this.encodingProblem = encodingProblem(encoded);
    this.subjectName = encodingProblem == null ? X500Name.getInstance(subject.getEncoded())
        : new X500Name(new RDN[0]);
    parseStructure();
  }

  /** Takes {@code cert} apart; never throws for a certificate the JDK could parse. */
  static ParsedCertificate of(X509Certificate cert) {
    return of(cert, false);
  }

  /** Like {@link #of(X509Certificate)}, for a root from a curated store. */
  static ParsedCertificate ofVettedAnchor(X509Certificate cert) {
    return of(cert, true);
  }

  private static ParsedCertificate of(X509Certificate cert, boolean vettedAnchor) {
    try {
      return new ParsedCertificate(cert, cert.getEncoded(), vettedAnchor);
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("certificate cannot be encoded: " + cert.getSubjectX500Principal(), e);
    }
  }

  private static String encodingProblem(byte[] encoded) {
    try {
      Asn1Limits.check(encoded, Asn1Limits.MAX_CERTIFICATE_BYTES);
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  private static byte[] tbsOf(X509Certificate cert) {
    try {
      return cert.getTBSCertificate();
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("certificate cannot be encoded: " + cert.getSubjectX500Principal(), e);
    }
  }

  /** A short human name: the first common name, else the whole subject. */
  String displayName() {
    if (!commonNames.isEmpty()) {
      return commonNames.get(0);
    }
    String dn = subject.getName();
    return dn.isEmpty() ? "(empty subject)" : dn;
  }

  boolean isCaCertificate() {
    return hasBasicConstraints && ca;
  }

  boolean sameIdentity(ParsedCertificate other) {
    return subject.equals(other.subject) && Arrays.equals(spki, other.spki);
  }

  boolean allows(int keyUsageBit) {
    return keyUsage == null || keyUsage.hasUsages(keyUsageBit);
  }

  BigInteger serial() {
    return x509.getSerialNumber();
  }

  private void parseStructure() {
    if (encodingProblem != null) {
      malformed("is not valid DER (" + encodingProblem + ")");
      return;
    }
    Certificate bc;
    try {
      bc = Asn1Limits.guard(() -> Certificate.getInstance(encoded));
    } catch (RuntimeException e) {
      malformed("is not valid DER (" + e.getMessage() + ")");
      return;
    }
    TBSCertificate tbsCert = bc.getTBSCertificate();
    if (!bc.getSignatureAlgorithm().equals(tbsCert.getSignature())) {
      malformed("has different signature algorithms inside and outside the signed part");
    }
    int version = x509.getVersion();
    if (version != 3) {
      malformed("is a version " + version + " certificate; version 3 is required");
    }
    BigInteger serial = x509.getSerialNumber();
    if (serial.signum() <= 0) {
      issuedDefects.add(new Finding(Problem.MALFORMED,
          "has serial number " + serial + "; it must be positive"));
    } else if (serial.toByteArray().length > MAX_SERIAL_OCTETS) {
      issuedDefects.add(new Finding(Problem.MALFORMED,
          "has a serial number longer than " + MAX_SERIAL_OCTETS + " octets"));
    }
    if (tbsCert.getIssuer().getRDNs().length == 0) {
      malformed("has an empty issuer name");
    }
    for (RDN rdn : subjectName.getRDNs()) {
      for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
        String value = stringValue(atv.getValue());
        if (atv.getType().equals(BCStyle.CN) && value != null) {
          commonNames.add(value);
        } else if (atv.getType().equals(BCStyle.EmailAddress) && value != null) {
          subjectEmails.add(value);
        }
      }
    }
    Finding keyDefect = Algorithms.keyDefect(tbsCert.getSubjectPublicKeyInfo(), publicKey, false);
    Finding webKeyDefect = Algorithms.keyDefect(tbsCert.getSubjectPublicKeyInfo(), publicKey, true);
    if (keyDefect != null) {
      defects.add(keyDefect);
    } else if (webKeyDefect != null) {
      webDefects.add(webKeyDefect);
    }
    if (signatureAlgorithm == null) {
      issuedDefects.add(new Finding(Problem.WEAK_SIGNATURE,
          "is signed with an unsupported algorithm (" + signatureAlgorithmOid + ")"));
    } else if (signatureAlgorithm.weak()) {
      (signatureAlgorithm.legacy() ? webIssuedDefects : issuedDefects).add(new Finding(Problem.WEAK_SIGNATURE,
          "is signed with " + signatureAlgorithm.displayName() + ", which is no longer accepted"));
    }
    Extensions extensions = tbsCert.getExtensions();
    if (extensions != null) {
      for (ASN1ObjectIdentifier oid : extensions.getExtensionOIDs()) {
        Extension extension = extensions.getExtension(oid);
        try {
          Asn1Limits.guard(() -> {
            parseExtension(oid.getId(), extension);
            return null;
          });
        } catch (RuntimeException e) {
          malformed("has a " + ExtensionOids.name(oid.getId()) + " extension that cannot be parsed");
        }
      }
    }
    checkConsistency();
  }

  private void parseExtension(String oid, Extension extension) {
    boolean critical = extension.isCritical();
    if (!ExtensionOids.PARSED.contains(oid)) {
      // Not processed here: its value is never decoded, so a non-critical one is ignored
      // whatever it holds; a critical one refuses the certificate.
      if (critical && !ExtensionOids.UNDERSTOOD.contains(oid)) {
        defects.add(new Finding(Problem.UNSUPPORTED_CRITICAL_EXTENSION,
            "has the critical extension " + ExtensionOids.name(oid) + ", which is not supported"));
      }
      return;
    }
    ASN1Encodable value = extension.getParsedValue();
    switch (oid) {
      case ExtensionOids.BASIC_CONSTRAINTS -> {
        BasicConstraints bc = BasicConstraints.getInstance(value);
        hasBasicConstraints = true;
        basicConstraintsCritical = critical;
        ca = bc.isCA();
        BigInteger length = bc.getPathLenConstraint();
        if (length != null) {
          if (!ca) {
            malformed("has a pathLenConstraint without being a CA");
          }
          pathLen = length.bitLength() > 16 ? Integer.MAX_VALUE : length.intValueExact();
        }
      }
      case ExtensionOids.KEY_USAGE -> {
        keyUsage = KeyUsage.getInstance(value);
        if (keyUsage.getBytes().length == 0 || allZero(keyUsage.getBytes())) {
          malformed("has a keyUsage extension with no usage");
        }
      }
      case ExtensionOids.EXTENDED_KEY_USAGE -> {
        KeyPurposeId[] usages = ExtendedKeyUsage.getInstance(value).getUsages();
        if (usages.length == 0) {
          malformed("has an empty extendedKeyUsage extension");
        }
        extendedKeyUsage = List.of(usages);
        extendedKeyUsageCritical = critical;
      }
      case ExtensionOids.SUBJECT_ALT_NAME -> parseSubjectAltNames(GeneralNames.getInstance(value), critical);
      case ExtensionOids.NAME_CONSTRAINTS -> {
        nameConstraints = NameConstraintSet.parse(value);
        for (String problem : nameConstraints.syntaxProblems()) {
          malformed("has an invalid name constraint: " + problem);
        }
      }
      case ExtensionOids.SUBJECT_KEY_ID -> {
        subjectKeyId = SubjectKeyIdentifier.getInstance(value).getKeyIdentifier();
        if (critical) {
          malformed("marks subjectKeyIdentifier critical");
        }
      }
      case ExtensionOids.AUTHORITY_KEY_ID -> {
        AuthorityKeyIdentifier aki = AuthorityKeyIdentifier.getInstance(value);
        authorityKeyId = aki.getKeyIdentifierOctets();
        if (critical) {
          malformed("marks authorityKeyIdentifier critical");
        }
        if (authorityKeyId == null) {
          malformed("has an authorityKeyIdentifier without keyIdentifier");
        }
        authorityKeyIdHasIssuer = aki.getAuthorityCertIssuer() != null
            || aki.getAuthorityCertSerialNumber() != null;
      }
      case ExtensionOids.AUTHORITY_INFO_ACCESS -> {
        if (AuthorityInformationAccess.getInstance(value).getAccessDescriptions().length == 0) {
          malformed("has an empty authorityInformationAccess extension");
        }
        if (critical) {
          malformed("marks authorityInformationAccess critical");
        }
      }
      case ExtensionOids.POLICY_CONSTRAINTS -> {
        if (!critical) {
          webDefects.add(new Finding(Problem.MALFORMED, "has a policyConstraints extension that is not critical"));
        }
        PolicyConstraints pc = PolicyConstraints.getInstance(value);
        if (pc.getRequireExplicitPolicyMapping() == null && pc.getInhibitPolicyMapping() == null) {
          malformed("has an empty policyConstraints extension");
        }
        requireExplicitPolicy = skipCerts(pc.getRequireExplicitPolicyMapping());
        inhibitPolicyMapping = skipCerts(pc.getInhibitPolicyMapping());
      }
      case ExtensionOids.INHIBIT_ANY_POLICY -> {
        inhibitAnyPolicy = skipCerts(ASN1Integer.getInstance(value).getValue());
      }
      case ExtensionOids.CERTIFICATE_POLICIES -> parsePolicies(value, critical);
      case ExtensionOids.POLICY_MAPPINGS -> {
        List<String[]> pairs = new ArrayList<>();
        for (ASN1Encodable e : ASN1Sequence.getInstance(value)) {
          ASN1Sequence pair = ASN1Sequence.getInstance(e);
          if (pair.size() != 2) {
            throw new IllegalArgumentException("policy mapping of " + pair.size() + " elements");
          }
          pairs.add(new String[] {ASN1ObjectIdentifier.getInstance(pair.getObjectAt(0)).getId(),
              ASN1ObjectIdentifier.getInstance(pair.getObjectAt(1)).getId()});
        }
        if (pairs.isEmpty()) {
          malformed("has an empty policyMappings extension");
        }
        policyMappings = pairs;
      }
      default -> throw new AssertionError(oid);
    }
  }

  /** The id-qt policy qualifiers RFC 5280 4.2.1.4 defines: CPS pointer and user notice. */
  private static final java.util.Set<String> KNOWN_QUALIFIERS =
      java.util.Set.of("1.3.6.1.5.5.7.2.1", "1.3.6.1.5.5.7.2.2");

  private void parsePolicies(ASN1Encodable value, boolean critical) {
    List<String> oids = new ArrayList<>();
    for (ASN1Encodable e : ASN1Sequence.getInstance(value)) {
      PolicyInformation info = PolicyInformation.getInstance(e);
      String oid = info.getPolicyIdentifier().getId();
      if (oids.contains(oid)) {
        malformed("lists the certificate policy " + oid + " twice");
      } else {
        oids.add(oid);
      }
      ASN1Sequence qualifiers = info.getPolicyQualifiers();
      if (qualifiers != null) {
        for (ASN1Encodable q : qualifiers) {
          String qualifier = PolicyQualifierInfo.getInstance(q).getPolicyQualifierId().getId();
          if (critical && !KNOWN_QUALIFIERS.contains(qualifier)) {
            defects.add(new Finding(Problem.UNSUPPORTED_CRITICAL_EXTENSION, "has a critical"
                + " certificatePolicies extension with the unknown policy qualifier " + qualifier));
          }
        }
      }
    }
    if (oids.isEmpty()) {
      malformed("has an empty certificatePolicies extension");
    }
    policies = List.copyOf(oids);
  }

  private static int skipCerts(BigInteger value) {
    if (value == null) {
      return -1;
    }
    if (value.signum() < 0) {
      throw new IllegalArgumentException("negative SkipCerts");
    }
    return value.bitLength() > 30 ? Integer.MAX_VALUE : value.intValue();
  }

  private void parseSubjectAltNames(GeneralNames names, boolean critical) {
    GeneralName[] all = names.getNames();
    if (all.length == 0) {
      malformed("has an empty subjectAltName extension");
    }
    boolean emptySubject = subjectName.getRDNs().length == 0;
    if (emptySubject && !critical) {
      malformed("has an empty subject and a subjectAltName that is not critical");
    } else if (!emptySubject && critical) {
      malformed("has a subject and a critical subjectAltName");
    }
    for (GeneralName name : all) {
      subjectAltNames.add(name);
      switch (name.getTagNo()) {
        case GeneralName.dNSName -> {
          String dns = DERIA5String.getInstance(name.getName()).getString();
          if (DnsNames.isPresentedName(dns)) {
            dnsNames.add(dns);
          } else {
            malformed("has an invalid dNSName '" + printable(dns) + "' in subjectAltName");
          }
        }
        case GeneralName.iPAddress -> {
          byte[] address = ASN1OctetString.getInstance(name.getName()).getOctets();
          if (address.length == 4 || address.length == 16) {
            ipAddresses.add(address);
          } else {
            malformed("has an iPAddress of " + address.length + " octets in subjectAltName");
          }
        }
        case GeneralName.rfc822Name -> {
          String email = DERIA5String.getInstance(name.getName()).getString();
          if (EmailAddresses.isMailbox(email)) {
            emails.add(email);
          } else {
            malformed("has an invalid rfc822Name '" + printable(email) + "' in subjectAltName");
          }
        }
        default -> {
          // directoryName, URI, otherName...: only name constraints look at them.
        }
      }
    }
  }

  private void checkConsistency() {
    boolean emptySubject = subjectName.getRDNs().length == 0;
    if (emptySubject && subjectAltNames.isEmpty()) {
      malformed("has neither a subject nor a subjectAltName");
    }
    if (isCaCertificate()) {
      if (keyUsage != null && !keyUsage.hasUsages(KeyUsage.keyCertSign)) {
        defects.add(new Finding(Problem.INVALID_BASIC_CONSTRAINTS,
            "is a CA (basicConstraints cA) whose keyUsage does not allow keyCertSign"));
      }
      if (emptySubject) {
        malformed("is a CA certificate with an empty subject");
      }
      if (subjectKeyId == null) {
        malformed("is a CA certificate without subjectKeyIdentifier");
      }
    } else {
      if (keyUsage != null && keyUsage.hasUsages(KeyUsage.keyCertSign)) {
        defects.add(new Finding(Problem.INVALID_BASIC_CONSTRAINTS,
            "asserts keyCertSign without being a CA"));
      }
      if (nameConstraints != null) {
        malformed("has name constraints without being a CA");
      }
    }
    if (authorityKeyId == null && !selfIssued) {
      issuedDefects.add(new Finding(Problem.MALFORMED, "has no authorityKeyIdentifier"));
    }
  }

  private void malformed(String detail) {
    defects.add(new Finding(Problem.MALFORMED, detail));
  }

  private static boolean allZero(byte[] bytes) {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static String stringValue(ASN1Encodable value) {
    return value instanceof ASN1String s ? s.getString() : null;
  }

  static String printable(String text) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length() && i < 100; i++) {
      char c = text.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c)
          : String.format(Locale.ROOT, "\\x%02x", (int) c));
    }
    return out.toString();
  }
}
