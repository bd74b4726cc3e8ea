package io.certkeeper.serve;

import io.certkeeper.util.ErrorText;
import io.certkeeper.x509.Asn1Limits;
import io.certkeeper.x509.Fingerprints;
import io.certkeeper.x509.Pem;
import io.certkeeper.x509.Pkcs12;
import io.certkeeper.x509.PrivateKeys;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * A private key with its certificate chain (leaf first), checked to belong together: the key
 * signs and the leaf's public key verifies. What a listener serves.
 */
public record KeyMaterial(PrivateKey key, List<X509Certificate> chain) {
  public KeyMaterial {
    Objects.requireNonNull(key, "key");
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("no certificate");
    }
  }

  public X509Certificate leaf() {
    return chain.get(0);
  }

  /** SHA-256 of the leaf: what clients see. */
  public String sha256() {
    return Fingerprints.sha256(leaf());
  }

  /**
   * Reads PEM text: the certificate (then its chain) and the private key (PKCS#8, or the older
   * PKCS#1 / SEC1 forms), and checks that they match.
   *
   * @throws IOException saying which part is wrong
   */
  public static KeyMaterial fromPem(byte[] certPem, byte[] keyPem) throws IOException {
    return fromPem(certPem, "certificate", keyPem, "key");
  }

  /**
   * As {@link #fromPem(byte[], byte[])}, naming the two inputs in errors (their file names):
   * {@code /etc/tls/key.pem: not a PEM private key (...)}.
   */
  public static KeyMaterial fromPem(byte[] certPem, String certName, byte[] keyPem, String keyName) throws IOException {
    List<X509Certificate> chain;
    try {
      chain = Pem.parseCertificates(certPem);
    } catch (IllegalArgumentException e) {
      throw new IOException(certName + ": " + e.getMessage(), e);
    }
    PrivateKey key;
    String keyText = new String(keyPem, StandardCharsets.US_ASCII);
    Object o;
    try (PEMParser parser = new PEMParser(new StringReader(keyText))) {
      Asn1Limits.checkPem(keyText, PrivateKeys.MAX_PEM_BYTES);
      o = Asn1Limits.guard(parser::readObject);
    } catch (IOException | RuntimeException e) {
      throw new IOException(keyName + ": not a readable private key (" + pemProblem(e) + ")", e);
    }
    try {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair pair) {
        key = converter.getKeyPair(pair).getPrivate();
      } else if (o instanceof PrivateKeyInfo info) {
        key = converter.getPrivateKey(info);
      } else {
        throw new IOException(keyName + ": no unencrypted private key found (expected a PEM block 'PRIVATE KEY',"
            + " 'RSA PRIVATE KEY' or 'EC PRIVATE KEY')");
      }
    } catch (PEMException | RuntimeException e) {
      throw new IOException(keyName + ": not a readable private key (" + pemProblem(e) + ")", e);
    }
    KeyMaterial m = new KeyMaterial(key, chain);
    if (!m.keyMatchesLeaf()) {
      throw new IOException(keyName + ": the private key does not belong to the certificate "
          + m.leaf().getSubjectX500Principal() + " in " + certName);
    }
    return m;
  }

  /** Bouncy Castle's words for a bad PEM block, without the Java details behind them. */
  private static String pemProblem(Exception e) {
    String m = e.getMessage();
    if (m == null) {
      return "unreadable";
    }
    if (m.startsWith("malformed PEM") || m.contains("base64")) {
      return "malformed PEM: the text between the BEGIN and END lines does not decode";
    }
    return ErrorText.reason(e);
  }

  /**
   * Reads the first key entry of a keystore.
   *
   * @param type the keystore type, {@code pkcs12} or {@code jks} (any case, as {@link KeyStore#getInstance(String)})
   */
  public static KeyMaterial fromKeystore(byte[] bytes, String type, char[] password) throws IOException {
    try {
      KeyStore ks = Pkcs12.load(bytes, type, password);
      for (String alias : Collections.list(ks.aliases())) {
        if (ks.isKeyEntry(alias)) {
          PrivateKey key = (PrivateKey) ks.getKey(alias, password);
          List<X509Certificate> chain = new ArrayList<>();
          for (Certificate c : ks.getCertificateChain(alias)) {
            chain.add((X509Certificate) c);
          }
          return checked(key, chain);
        }
      }
      throw new IOException("keystore holds no private key entry");
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IOException("keystore: " + ErrorText.reason(e), e);
    } catch (IOException e) {
      String reason = ErrorText.reason(e);
      throw new IOException(reason.startsWith("keystore") ? reason : "keystore: " + reason, e);
    }
  }

  private static KeyMaterial checked(PrivateKey key, List<X509Certificate> chain) throws IOException {
    KeyMaterial m = new KeyMaterial(key, chain);
    if (!m.keyMatchesLeaf()) {
      throw new IOException("the private key does not belong to the certificate " + m.leaf().getSubjectX500Principal());
    }
    return m;
  }

  /** Whether the key's signature verifies with the leaf's public key. */
  boolean keyMatchesLeaf() {
    String alg;
    switch (key.getAlgorithm()) {
      case "RSA": alg = "SHA256withRSA"; break;
      case "EC": alg = "SHA256withECDSA"; break;
      case "Ed25519": case "EdDSA": alg = "Ed25519"; break;
      case "Ed448": alg = "Ed448"; break;
      default: return false;
    }
    try {
      byte[] data = new byte[32];
      new SecureRandom().nextBytes(data);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(data);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(leaf().getPublicKey());
      v.update(data);
      return v.verify(sig);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }
}
