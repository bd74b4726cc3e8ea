package io.certkeeper.alert;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Test certificates made with Bouncy Castle: leaves with chosen validity, and a CA with a server certificate for loopback. */
final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(1);
  private static KeyPair key;

  record Issued(X509Certificate cert, KeyPair key) {}

  private TestPki() {}

  static synchronized KeyPair key() throws Exception {
    if (key == null) {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      key = g.generateKeyPair();
    }
    return key;
  }

  /** A self-signed leaf for {@code cn} valid from {@code notBefore} to {@code notAfter}. */
  static X509Certificate leaf(String cn, Instant notBefore, Instant notAfter) throws Exception {
    return build(cn, null, notBefore, notAfter, false).cert();
  }

  static Issued root(String cn) throws Exception {
    Instant now = Instant.now();
    return build(cn, null, now.minusSeconds(3600), now.plusSeconds(86400), true);
  }

  /** A server certificate for localhost and 127.0.0.1 issued by {@code ca}. */
  static Issued server(Issued ca) throws Exception {
    Instant now = Instant.now();
    return build("localhost", ca, now.minusSeconds(3600), now.plusSeconds(86400), false);
  }

  private static Issued build(String cn, Issued issuer, Instant notBefore, Instant notAfter, boolean ca)
      throws Exception {
    KeyPair k = key();
    X500Name subject = new X500Name("CN=" + cn);
    X500Name issuerName = issuer == null ? subject : new X500Name(issuer.cert().getSubjectX500Principal().getName());
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName,
        BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), subject, k.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    if (!ca) {
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
          new GeneralName(GeneralName.dNSName, cn), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
    }
    KeyPair signer = issuer == null ? k : issuer.key();
    X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    return new Issued(cert, k);
  }

  static Path writePem(Path file, X509Certificate cert) throws Exception {
    String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded());
    Files.writeString(file, "-----BEGIN CERTIFICATE-----\n" + b64 + "\n-----END CERTIFICATE-----\n");
    return file;
  }

  static SSLContext serverContext(Issued server, Issued ca) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("server", server.key().getPrivate(), new char[0], new X509Certificate[] {server.cert(), ca.cert()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }

}
