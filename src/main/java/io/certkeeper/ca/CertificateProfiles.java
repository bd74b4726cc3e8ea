package io.certkeeper.ca;

import io.certkeeper.x509.KeyPairs;
import io.certkeeper.x509.KeyType;
import io.certkeeper.x509.Pem;
import java.io.IOException;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The certificate profiles, as a careful CA writes them:
 *
 * <ul>
 *   <li>root: basicConstraints critical CA:true; keyUsage critical keyCertSign, cRLSign; SKI.
 *   <li>intermediate: CA:true with pathLen 0 (it signs leaves only); the same key usage; SKI and
 *       AKI.
 *   <li>leaf: CA:false; keyUsage critical digitalSignature (and keyEncipherment for RSA keys); the
 *       profile's extended key usage; the SANs; SKI and AKI; the CRL distribution point and the
 *       authority information access (OCSP responder, caIssuers) when they are configured.
 *   <li>OCSP signer: the delegated responder of {@link OcspSigner}, see {@link #ocspSigner}.
 * </ul>
 *
 * Every certificate starts {@link #BACKDATE} before it is signed, so that peers whose clocks are a
 * little behind accept it at once.
 */
final class CertificateProfiles {
  /** How far notBefore lies before the signing time, for clock skew between hosts. */
  static final Duration BACKDATE = Duration.ofMinutes(5);

  private CertificateProfiles() {}

  static X509Certificate root(String name, KeyPair keys, BigInteger serial, Instant now, Duration validity) {
    X500Name subject = name(name);
    X509v3CertificateBuilder b = builder(subject, serial, now, now.plus(validity), subject, keys.getPublic());
    add(b, Extension.basicConstraints, true, new BasicConstraints(true));
    add(b, Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    add(b, Extension.subjectKeyIdentifier, false, ski(keys.getPublic()));
    return sign(b, signer(keys.getPrivate(), keys.getPublic()));
  }

  static X509Certificate intermediate(String name, PublicKey key, X509Certificate root, PrivateKey rootKey,
      BigInteger serial, Instant now, Duration validity) {
    X509v3CertificateBuilder b = builder(subjectOf(root), serial, now, now.plus(validity), name(name), key);
    add(b, Extension.basicConstraints, true, new BasicConstraints(0));
    add(b, Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    add(b, Extension.subjectKeyIdentifier, false, ski(key));
    add(b, Extension.authorityKeyIdentifier, false, keyIdOf(root));
    return sign(b, signer(rootKey, root.getPublicKey()));
  }

  static X509Certificate leaf(LocalCa ca, String cn, List<San> sans, PublicKey key, Profile profile,
      BigInteger serial, Instant notBefore, Instant notAfter, LeafUrls urls) {
    Optional<String> crlUrl = urls.crl();
    X509v3CertificateBuilder b = new X509v3CertificateBuilder(ca.issuerName(), serial,
        CertificateTimes.of(notBefore), CertificateTimes.of(notAfter), name(cn), SubjectPublicKeyInfo.getInstance(key.getEncoded()));
    add(b, Extension.basicConstraints, true, new BasicConstraints(false));
    boolean rsa = KeyType.of(key).map(KeyType::isRsa).orElse(false);
    add(b, Extension.keyUsage, true,
        new KeyUsage(KeyUsage.digitalSignature | (rsa ? KeyUsage.keyEncipherment : 0)));
    add(b, Extension.extendedKeyUsage, false,
        new ExtendedKeyUsage(profile.purposes().toArray(new KeyPurposeId[0])));
    add(b, Extension.subjectAlternativeName, false,
        new GeneralNames(sans.stream().map(San::toGeneralName).toArray(GeneralName[]::new)));
    add(b, Extension.subjectKeyIdentifier, false, ski(key));
    add(b, Extension.authorityKeyIdentifier, false, ca.issuerKeyId());
    if (crlUrl.isPresent()) {
      GeneralNames where = new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, crlUrl.get()));
      add(b, Extension.cRLDistributionPoints, false, new CRLDistPoint(
          new DistributionPoint[] {new DistributionPoint(new DistributionPointName(where), null, null)}));
    }
    List<AccessDescription> access = new ArrayList<>();
    urls.ocsp().ifPresent(u -> access.add(new AccessDescription(AccessDescription.id_ad_ocsp,
        new GeneralName(GeneralName.uniformResourceIdentifier, u))));
    urls.caIssuers().ifPresent(u -> access.add(new AccessDescription(AccessDescription.id_ad_caIssuers,
        new GeneralName(GeneralName.uniformResourceIdentifier, u))));
    if (!access.isEmpty()) {
      add(b, Extension.authorityInfoAccess, false,
          new AuthorityInformationAccess(access.toArray(new AccessDescription[0])));
    }
    return sign(b, ca.signer());
  }

  /**
   * A delegated OCSP responder's certificate (RFC 6960 4.2.2.2): CA:false, keyUsage critical
   * digitalSignature, EKU id-kp-OCSPSigning only, id-pkix-ocsp-nocheck (relying parties do not ask
   * about the responder itself; its short life stands in for revocation), SKI and AKI.
   */
  static X509Certificate ocspSigner(LocalCa ca, String cn, PublicKey key, BigInteger serial, Instant notBefore,
      Instant notAfter) {
    X509v3CertificateBuilder b = new X509v3CertificateBuilder(ca.issuerName(), serial,
        CertificateTimes.of(notBefore), CertificateTimes.of(notAfter), name(cn),
        SubjectPublicKeyInfo.getInstance(key.getEncoded()));
    add(b, Extension.basicConstraints, true, new BasicConstraints(false));
    add(b, Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    add(b, Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_OCSPSigning));
    add(b, OCSPObjectIdentifiers.id_pkix_ocsp_nocheck, false, DERNull.INSTANCE);
    add(b, Extension.subjectKeyIdentifier, false, ski(key));
    add(b, Extension.authorityKeyIdentifier, false, ca.issuerKeyId());
    return sign(b, ca.signer());
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, BigInteger serial, Instant now, Instant notAfter,
      X500Name subject, PublicKey key) {
    return new X509v3CertificateBuilder(issuer, serial, CertificateTimes.of(now.minus(BACKDATE)),
        CertificateTimes.of(notAfter), subject,
        SubjectPublicKeyInfo.getInstance(key.getEncoded()));
  }

  static X500Name name(String cn) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn).build();
  }

  /** The subject of {@code cert} exactly as encoded, so that issuer names match byte for byte. */
  static X500Name subjectOf(X509Certificate cert) {
    return X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
  }

  /** An AKI holding {@code issuer}'s SKI (computed from its key when it has none). */
  static AuthorityKeyIdentifier keyIdOf(X509Certificate issuer) {
    byte[] ext = issuer.getExtensionValue(Extension.subjectKeyIdentifier.getId());
    if (ext != null) {
      byte[] id = SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getKeyIdentifier();
      return new AuthorityKeyIdentifier(id);
    }
    return new AuthorityKeyIdentifier(ski(issuer.getPublicKey()).getKeyIdentifier());
  }

  /** RFC 5280 method 1: SHA-1 of the subjectPublicKey bits. */
  static SubjectKeyIdentifier ski(PublicKey key) {
    try {
      return new JcaX509ExtensionUtils().createSubjectKeyIdentifier(key);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static void add(X509v3CertificateBuilder b, org.bouncycastle.asn1.ASN1ObjectIdentifier oid, boolean critical,
      org.bouncycastle.asn1.ASN1Encodable value) {
    try {
      b.addExtension(oid, critical, value);
    } catch (CertIOException e) {
      throw new IllegalArgumentException("cannot encode extension " + oid + ": " + e.getMessage(), e);
    }
  }

  private static ContentSigner signer(PrivateKey key, PublicKey pub) {
    String alg = KeyType.of(pub).orElseThrow(() -> new IllegalArgumentException("unsupported CA key")).signatureAlgorithm();
    try {
      return new JcaContentSignerBuilder(alg).setProvider(KeyPairs.provider()).build(key);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot sign with a " + alg + " key: " + e.getMessage(), e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, ContentSigner signer) {
    try {
      return Pem.decodeDer(b.build(signer).getEncoded());
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode the certificate: " + e.getMessage(), e);
    }
  }
}
