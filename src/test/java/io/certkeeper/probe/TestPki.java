package io.certkeeper.probe;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Test-only certificates made with Bouncy Castle: a root, intermediates, leaves, odd ones. */
final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A certificate with its key pair. */
  record Held(X509Certificate cert, KeyPair keys) {
    PrivateKey key() {
      return keys.getPrivate();
    }
  }

  private TestPki() {}

  static KeyPair rsa(int bits) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(bits, RANDOM);
      return g.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  static KeyPair ec() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static Spec spec(String cn) {
    return new Spec(cn);
  }

  /** What to put in a certificate; defaults: RSA-2048 leaf, valid from an hour ago for 90 days. */
  static final class Spec {
    final String cn;
    KeyPair keys;
    Instant notBefore = Instant.now().minus(Duration.ofHours(1));
    Instant notAfter = Instant.now().plus(Duration.ofDays(90));
    final List<String> dnsNames = new ArrayList<>();
    final List<String> ips = new ArrayList<>();
    final List<String> emails = new ArrayList<>();
    final List<String> uris = new ArrayList<>();
    boolean ca;
    KeyPurposeId eku = KeyPurposeId.id_kp_serverAuth;
    String signatureAlgorithm;

    Spec(String cn) {
      this.cn = cn;
    }

    Spec keys(KeyPair k) {
      keys = k;
      return this;
    }

    Spec validFor(Instant from, Instant to) {
      notBefore = from;
      notAfter = to;
      return this;
    }

    Spec dns(String... names) {
      dnsNames.addAll(List.of(names));
      return this;
    }

    Spec ip(String... addresses) {
      ips.addAll(List.of(addresses));
      return this;
    }

    Spec email(String... addresses) {
      emails.addAll(List.of(addresses));
      return this;
    }

    Spec uri(String... uriNames) {
      uris.addAll(List.of(uriNames));
      return this;
    }

    Spec ca() {
      ca = true;
      eku = null;
      return this;
    }

    String crlUrl;

    Spec crlUrl(String url) {
      crlUrl = url;
      return this;
    }

    Spec eku(KeyPurposeId purpose) {
      eku = purpose;
      return this;
    }

    Spec signedWith(String algorithm) {
      signatureAlgorithm = algorithm;
      return this;
    }

    /** Self-signed. */
    Held selfSigned() {
      KeyPair k = keys != null ? keys : rsa(2048);
      return new Held(build(k, new X500Principal("CN=" + cn), k.getPrivate(), k), k);
    }

    Held issuedBy(Held issuer) {
      KeyPair k = keys != null ? keys : rsa(2048);
      return new Held(build(k, issuer.cert().getSubjectX500Principal(), issuer.key(),
          issuer.keys()), k);
    }

    private X509Certificate build(KeyPair subjectKeys, X500Principal issuerName,
        PrivateKey signingKey, KeyPair issuerKeys) {
      try {
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName,
            BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore),
            Date.from(notAfter), new X500Principal("CN=" + cn), subjectKeys.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.subjectKeyIdentifier, false,
            ext.createSubjectKeyIdentifier(subjectKeys.getPublic()));
        b.addExtension(Extension.authorityKeyIdentifier, false,
            ext.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
        if (ca) {
          b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
          b.addExtension(Extension.keyUsage, true,
              new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
        } else {
          b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
          b.addExtension(Extension.keyUsage, true,
              new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
          if (eku != null) {
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(eku));
          }
        }
        if (crlUrl != null) {
          b.addExtension(Extension.cRLDistributionPoints, false, new org.bouncycastle.asn1.x509.CRLDistPoint(
              new org.bouncycastle.asn1.x509.DistributionPoint[] {new org.bouncycastle.asn1.x509.DistributionPoint(
                  new org.bouncycastle.asn1.x509.DistributionPointName(new GeneralNames(
                      new GeneralName(GeneralName.uniformResourceIdentifier, crlUrl))), null, null)}));
        }
        List<GeneralName> names = new ArrayList<>();
        dnsNames.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
        ips.forEach(n -> names.add(new GeneralName(GeneralName.iPAddress, n)));
        emails.forEach(n -> names.add(new GeneralName(GeneralName.rfc822Name, n)));
        uris.forEach(n -> names.add(new GeneralName(GeneralName.uniformResourceIdentifier, n)));
        if (!names.isEmpty()) {
          b.addExtension(Extension.subjectAlternativeName, false,
              new GeneralNames(names.toArray(new GeneralName[0])));
        }
        String alg = signatureAlgorithm != null ? signatureAlgorithm
            : signingKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        return new JcaX509CertificateConverter().getCertificate(
            b.build(new JcaContentSignerBuilder(alg).build(signingKey)));
      } catch (Exception e) {
        throw new IllegalStateException("cannot build test certificate " + cn, e);
      }
    }
  }

  /** A CRL by {@code issuer} revoking {@code revoked}, valid for a day. */
  static java.security.cert.X509CRL crl(Held issuer, X509Certificate... revoked) {
    try {
      Instant now = Instant.now();
      org.bouncycastle.cert.X509v2CRLBuilder b = new org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder(
          issuer.cert().getSubjectX500Principal(), Date.from(now.minusSeconds(60)));
      b.setNextUpdate(Date.from(now.plus(Duration.ofDays(1))));
      for (X509Certificate r : revoked) {
        b.addCRLEntry(r.getSerialNumber(), Date.from(now.minusSeconds(30)), org.bouncycastle.asn1.x509.CRLReason.keyCompromise);
      }
      b.addExtension(Extension.cRLNumber, false, new org.bouncycastle.asn1.x509.CRLNumber(BigInteger.ONE));
      b.addExtension(Extension.authorityKeyIdentifier, false,
          new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(issuer.cert().getPublicKey()));
      String alg = issuer.key().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
      return new org.bouncycastle.cert.jcajce.JcaX509CRLConverter().getCRL(
          b.build(new JcaContentSignerBuilder(alg).build(issuer.key())));
    } catch (Exception e) {
      throw new IllegalStateException("cannot build test CRL", e);
    }
  }

  /** Writes certificates (in order) and optionally a key as PEM. */
  /** {@code key} as an unencrypted PKCS#8 {@code PRIVATE KEY} block, which openssl reads for every key type. */
  static Path writeKey(Path file, java.security.PrivateKey key) {
    try {
      return writePem(file, new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null).generate());
    } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path writePem(Path file, Object... objects) {
    try {
      StringWriter out = new StringWriter();
      try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
        for (Object o : objects) {
          pem.writeObject(o);
        }
      }
      Files.writeString(file, out.toString());
      return file;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

}
