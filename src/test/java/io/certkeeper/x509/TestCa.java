package io.certkeeper.x509;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A tiny certificate factory for tests: roots, intermediates and leaves with exactly the
 * extensions a test needs, signed with Bouncy Castle. Defaults make a valid, CA/Browser
 * Forum-shaped chain (P-256 keys, SHA-256, key identifiers, critical basicConstraints) valid
 * around {@link #NOW}; each test changes one thing.
 */
final class TestCa {
  static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

  private static final AtomicLong SERIAL = new AtomicLong(1000);
  private static final KeyPair[] EC_KEYS = new KeyPair[8];
  private static int nextKey;

  /** An issued certificate with the key that signs for it. */
  record Issued(X509Certificate cert, KeyPair key) {}

  private TestCa() {}

  /** A P-256 key pair (a small pool is reused: generating keys is the slow part of tests). */
  static synchronized KeyPair ecKey() {
    int i = nextKey++ % EC_KEYS.length;
    if (EC_KEYS[i] == null) {
      EC_KEYS[i] = generate("EC", new ECGenParameterSpec("secp256r1"), 0);
    }
    return EC_KEYS[i];
  }

  static KeyPair freshEcKey() {
    return generate("EC", new ECGenParameterSpec("secp256r1"), 0);
  }

  static KeyPair rsaKey(int bits) {
    return generate("RSA", null, bits);
  }

  private static KeyPair generate(String algorithm, ECGenParameterSpec spec, int bits) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
      if (spec != null) {
        generator.initialize(spec);
      } else {
        generator.initialize(bits);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static Builder root(String cn) {
    return new Builder(cn).ca(-1);
  }

  static Builder intermediate(String cn, Issued issuer) {
    return new Builder(cn).ca(-1).issuedBy(issuer);
  }

  static Builder leaf(String dnsName, Issued issuer) {
    return new Builder(dnsName).issuedBy(issuer).dnsNames(dnsName)
        .keyUsage(KeyUsage.digitalSignature).extendedKeyUsage(KeyPurposeId.id_kp_serverAuth);
  }

  /** A CRL from {@code issuer} listing {@code revoked}, valid around {@link #NOW}. */
  static X509CRL crl(Issued issuer, X509Certificate... revoked) throws Exception {
    X509v2CRLBuilder builder = new X509v2CRLBuilder(
        X500Name.getInstance(issuer.cert().getSubjectX500Principal().getEncoded()),
        Date.from(NOW.minus(Duration.ofDays(1))));
    builder.setNextUpdate(Date.from(NOW.plus(Duration.ofDays(7))));
    for (X509Certificate cert : revoked) {
      builder.addCRLEntry(cert.getSerialNumber(), Date.from(NOW.minus(Duration.ofHours(1))),
          CRLReason.keyCompromise);
    }
    builder.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.ONE));
    builder.addExtension(Extension.authorityKeyIdentifier, false,
        new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(issuer.cert()));
    return new JcaX509CRLConverter().getCRL(builder.build(
        new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.key().getPrivate())));
  }

  static final class Builder {
    private final String cn;
    private KeyPair key = ecKey();
    private Issued issuer;
    private boolean ca;
    private int pathLen = -1;
    private Integer keyUsage;
    private KeyPurposeId[] extendedKeyUsage;
    private final List<GeneralName> sans = new ArrayList<>();
    private Instant notBefore = NOW.minus(Duration.ofDays(30));
    private Instant notAfter = NOW.plus(Duration.ofDays(60));
    private String signatureAlgorithm;
    private NameConstraints nameConstraints;
    private final List<Extension> extraExtensions = new ArrayList<>();
    private String subjectDn;
    private boolean authorityKeyId = true;

    private Builder(String cn) {
      this.cn = cn;
    }

    Builder key(KeyPair key) {
      this.key = key;
      return this;
    }

    Builder issuedBy(Issued issuer) {
      this.issuer = issuer;
      return this;
    }

    Builder ca(int pathLen) {
      this.ca = true;
      this.pathLen = pathLen;
      this.keyUsage = KeyUsage.keyCertSign | KeyUsage.cRLSign;
      return this;
    }

    Builder notCa() {
      this.ca = false;
      this.keyUsage = KeyUsage.digitalSignature;
      return this;
    }

    Builder keyUsage(int keyUsage) {
      this.keyUsage = keyUsage;
      return this;
    }

    Builder extendedKeyUsage(KeyPurposeId... usages) {
      this.extendedKeyUsage = usages;
      return this;
    }

    Builder dnsNames(String... names) {
      for (String name : names) {
        sans.add(new GeneralName(GeneralName.dNSName, name));
      }
      return this;
    }

    Builder ipAddresses(String... addresses) {
      for (String address : addresses) {
        sans.add(new GeneralName(GeneralName.iPAddress, address));
      }
      return this;
    }

    Builder noSubjectAltName() {
      sans.clear();
      return this;
    }

    Builder validity(Instant notBefore, Instant notAfter) {
      this.notBefore = notBefore;
      this.notAfter = notAfter;
      return this;
    }

    Builder signatureAlgorithm(String algorithm) {
      this.signatureAlgorithm = algorithm;
      return this;
    }

    Builder permittedDns(String... names) {
      GeneralSubtree[] subtrees = new GeneralSubtree[names.length];
      for (int i = 0; i < names.length; i++) {
        subtrees[i] = new GeneralSubtree(new GeneralName(GeneralName.dNSName, names[i]));
      }
      this.nameConstraints = new NameConstraints(subtrees, null);
      return this;
    }

    Builder extension(String oid, boolean critical, ASN1Encodable value) throws Exception {
      extraExtensions.add(new Extension(new ASN1ObjectIdentifier(oid), critical,
          value.toASN1Primitive().getEncoded()));
      return this;
    }

    /** An extension whose value is these bytes, DER or not. */
    Builder rawExtension(String oid, boolean critical, byte[] value) {
      extraExtensions.add(new Extension(new ASN1ObjectIdentifier(oid), critical, value));
      return this;
    }

    /** The whole subject DN (RFC 4514, e.g. {@code CN=x,O=Example,C=US}) instead of {@code CN=cn}. */
    Builder subject(String dn) {
      this.subjectDn = dn;
      return this;
    }

    Builder sans(GeneralName... names) {
      sans.addAll(List.of(names));
      return this;
    }

    Builder nameConstraints(NameConstraints constraints) {
      this.nameConstraints = constraints;
      return this;
    }

    Builder withoutAuthorityKeyId() {
      this.authorityKeyId = false;
      return this;
    }

    Issued issue() {
      try {
        return new Issued(build(), key);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }

    private X509Certificate build() throws Exception {
      X500Name subject = new X500Name(subjectDn != null ? subjectDn : "CN=" + cn);
      X500Name issuerName = issuer == null ? subject
          : X500Name.getInstance(issuer.cert().getSubjectX500Principal().getEncoded());
      PrivateKey signingKey = issuer == null ? key.getPrivate() : issuer.key().getPrivate();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
          BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore),
          Date.from(notAfter), subject, key.getPublic());
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      if (ca) {
        builder.addExtension(Extension.basicConstraints, true,
            pathLen >= 0 ? new BasicConstraints(pathLen) : new BasicConstraints(true));
      }
      if (keyUsage != null) {
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
      }
      if (extendedKeyUsage != null) {
        builder.addExtension(Extension.extendedKeyUsage, false,
            new ExtendedKeyUsage(extendedKeyUsage));
      }
      if (!sans.isEmpty()) {
        builder.addExtension(Extension.subjectAlternativeName, false,
            new GeneralNames(sans.toArray(new GeneralName[0])));
      }
      if (nameConstraints != null) {
        builder.addExtension(Extension.nameConstraints, true, nameConstraints);
      }
      builder.addExtension(Extension.subjectKeyIdentifier, false,
          utils.createSubjectKeyIdentifier(key.getPublic()));
      if (authorityKeyId) {
        builder.addExtension(Extension.authorityKeyIdentifier, false, issuer == null
            ? utils.createAuthorityKeyIdentifier(key.getPublic())
            : utils.createAuthorityKeyIdentifier(issuer.cert()));
      }
      for (Extension extension : extraExtensions) {
        builder.addExtension(extension);
      }
      String algorithm = signatureAlgorithm != null ? signatureAlgorithm
          : signingKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(signer(algorithm, signingKey)));
    }

    private static org.bouncycastle.operator.ContentSigner signer(String algorithm,
        PrivateKey key) throws OperatorCreationException {
      return new JcaContentSignerBuilder(algorithm).build(key);
    }
  }

  /** An empty DER sequence, handy as the value of a made-up extension. */
  static ASN1Encodable emptySequence() {
    return new DERSequence();
  }
}
