package io.certkeeper.x509;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.pkcs.PKCS12PfxPduBuilder;
import org.bouncycastle.pkcs.PKCS12SafeBag;
import org.bouncycastle.pkcs.PKCS12SafeBagBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS12SafeBagBuilder;
import org.bouncycastle.pkcs.jcajce.JcePKCS12MacCalculatorBuilder;
import org.bouncycastle.pkcs.jcajce.JcePKCSPBEOutputEncryptorBuilder;

/**
 * Reads keystores bounded ({@link #load}), and writes PKCS#12 bundles (a private key with its certificate chain) with modern algorithms only:
 * key and certificates under PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), integrity by HMAC-SHA256.
 * OpenSSL 3 reads them without {@code -legacy}; the JDK's {@code keytool} and {@code KeyStore}
 * read them as one {@code PrivateKeyEntry}.
 */
public final class Pkcs12 {
  /** PBKDF2 and MAC iterations: the JDK's own default for PKCS#12. */
  public static final int ITERATIONS = 10_000;

  private Pkcs12() {}

  /**
   * Loads a keystore of {@code type} ({@code PKCS12} or {@code JKS}) from {@code bytes}. A PKCS#12
   * encoding passes {@link Asn1Limits} first (a JKS file is not ASN.1; the JDK reads a PKCS#12
   * file given as JKS too, so both are checked when they look like DER).
   *
   * @throws IllegalArgumentException when the encoding is refused or nests too deeply to parse
   * @throws IOException when the password is wrong or the keystore damaged, as {@link KeyStore#load}
   */
  public static KeyStore load(byte[] bytes, String type, char[] password)
      throws IOException, GeneralSecurityException {
    if (bytes.length > Asn1Limits.MAX_KEYSTORE_BYTES) {
      throw new IllegalArgumentException("larger than " + Asn1Limits.MAX_KEYSTORE_BYTES + " bytes");
    }
    if (type.equalsIgnoreCase("PKCS12") || (bytes.length > 0 && bytes[0] == 0x30)) {
      Asn1Limits.check(bytes, Asn1Limits.MAX_KEYSTORE_BYTES);
      try {
        KdfLimits.requireBoundedPkcs12(bytes);
      } catch (IllegalArgumentException e) {
        throw e;
      } catch (RuntimeException e) { // a structure Bouncy Castle cannot read: the keystore reader judges it
        // fall through
      }
    }
    KeyStore ks = KeyStore.getInstance(type);
    try {
      ks.load(new ByteArrayInputStream(bytes), password);
    } catch (StackOverflowError e) {
      throw new IllegalArgumentException("nested too deeply to parse", e);
    }
    return ks;
  }

  /**
   * The bundle bytes.
   *
   * @param key the private key of {@code chain.get(0)}
   * @param chain the certificate first, then its issuers
   * @param password protects the key and the bundle's integrity
   * @param alias the entry's name ({@code friendlyName}), as keytool lists it
   */
  public static byte[] write(PrivateKey key, List<X509Certificate> chain, char[] password, String alias) {
    Objects.requireNonNull(key, "key");
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("a PKCS#12 bundle needs at least the key's certificate");
    }
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      var keyId = ext.createSubjectKeyIdentifier(chain.get(0).getPublicKey());
      OutputEncryptor enc = new JcePKCSPBEOutputEncryptorBuilder(NISTObjectIdentifiers.id_aes256_CBC)
          .setPRF(new AlgorithmIdentifier(PKCSObjectIdentifiers.id_hmacWithSHA256, DERNull.INSTANCE))
          .setIterationCount(ITERATIONS)
          .setProvider(KeyPairs.provider())
          .build(password);

      PKCS12SafeBag[] certBags = new PKCS12SafeBag[chain.size()];
      for (int i = 0; i < chain.size(); i++) {
        PKCS12SafeBagBuilder b = new JcaPKCS12SafeBagBuilder(chain.get(i));
        if (i == 0) {
          b.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_friendlyName, new DERBMPString(alias));
          b.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_localKeyId, keyId);
        }
        certBags[i] = b.build();
      }
      PKCS12SafeBagBuilder keyBag = new JcaPKCS12SafeBagBuilder(key, enc);
      keyBag.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_friendlyName, new DERBMPString(alias));
      keyBag.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_localKeyId, keyId);

      PKCS12PfxPduBuilder pfx = new PKCS12PfxPduBuilder();
      pfx.addEncryptedData(enc, certBags);
      pfx.addData(keyBag.build());
      return pfx.build(new JcePKCS12MacCalculatorBuilder(NISTObjectIdentifiers.id_sha256)
              .setIterationCount(ITERATIONS)
              .setProvider(KeyPairs.provider()), password)
          .getEncoded("DER");
    } catch (OperatorCreationException | PKCSException | IOException | java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot build PKCS#12 bundle: " + e.getMessage(), e);
    }
  }
}
