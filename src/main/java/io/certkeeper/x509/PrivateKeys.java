package io.certkeeper.x509;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.InputDecryptorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Private keys as PEM: plain PKCS#8 ({@code PRIVATE KEY}, what Netty, nginx and the JDK read) for
 * issued keys, and encrypted PKCS#8 ({@code ENCRYPTED PRIVATE KEY}: PBES2 with PBKDF2-HMAC-SHA256
 * and AES-256-CBC, readable by {@code openssl pkey}) for keys kept at rest.
 */
public final class PrivateKeys {
  /**
   * PBKDF2 iterations for encrypted keys: OpenSSL's default is 2048; this makes each passphrase
   * guess cost about a tenth of a second of one core while a CA load stays fast enough.
   */
  public static final int PBKDF2_ITERATIONS = 210_000;
  /** A key file larger than this is not a key. */
  public static final int MAX_PEM_BYTES = 64 * 1024;

  private PrivateKeys() {}

  /** {@code key} as an unencrypted PKCS#8 PEM block ({@code -----BEGIN PRIVATE KEY-----}). */
  public static String toPkcs8Pem(PrivateKey key) {
    return Pem.block("PRIVATE KEY", derOf(key));
  }

  private static byte[] derOf(PrivateKey key) {
    try {
      return v1(key).getEncoded("DER");
    } catch (IOException e) {
      throw new IllegalArgumentException("private key cannot be encoded: " + e.getMessage(), e);
    }
  }

  /**
   * The key as a version 1 PrivateKeyInfo: Bouncy Castle writes Ed25519 keys as version 2 (with the
   * public key), which OpenSSL 3.0 cannot decode.
   */
  private static PrivateKeyInfo v1(PrivateKey key) throws IOException {
    PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
    if (!info.hasPublicKey() && info.getAttributes() == null) {
      return info;
    }
    return new PrivateKeyInfo(info.getPrivateKeyAlgorithm(), info.parsePrivateKey());
  }

  /** {@code key} encrypted under {@code passphrase} as an {@code ENCRYPTED PRIVATE KEY} PEM block. */
  public static String toEncryptedPem(PrivateKey key, char[] passphrase) {
    try {
      OutputEncryptor enc = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
          .setPRF(new AlgorithmIdentifier(PKCSObjectIdentifiers.id_hmacWithSHA256, DERNull.INSTANCE))
          .setIterationCount(PBKDF2_ITERATIONS)
          .setPassword(passphrase)
          .setProvider(KeyPairs.provider())
          .build();
      StringWriter sw = new StringWriter();
      try (PemWriter w = new PemWriter(sw)) {
        w.writeObject(new PKCS8Generator(v1(key), enc).generate());
      }
      return sw.toString();
    } catch (OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot encrypt private key: " + e.getMessage(), e);
    }
  }

  /**
   * Reads an unencrypted key: PKCS#8 ({@code PRIVATE KEY}) or the traditional {@code EC PRIVATE
   * KEY} / {@code RSA PRIVATE KEY} forms.
   *
   * @throws IllegalArgumentException when the text holds no readable unencrypted key
   */
  public static PrivateKey parse(String pem) {
    Object o = readObject(pem);
    try {
      JcaPEMKeyConverter conv = converter();
      if (o instanceof PrivateKeyInfo) {
        return Asn1Limits.guard(() -> conv.getPrivateKey((PrivateKeyInfo) o));
      }
      if (o instanceof PEMKeyPair) {
        return Asn1Limits.guard(() -> conv.getKeyPair((PEMKeyPair) o).getPrivate());
      }
    } catch (PEMException e) {
      throw new IllegalArgumentException("unsupported private key: " + e.getMessage(), e);
    }
    if (o instanceof PKCS8EncryptedPrivateKeyInfo) {
      throw new IllegalArgumentException("the private key is encrypted");
    }
    throw new IllegalArgumentException("no private key found");
  }

  /**
   * Decrypts an {@code ENCRYPTED PRIVATE KEY} PEM block.
   *
   * @throws UnrecoverableKeyException when the passphrase is wrong (or the ciphertext damaged)
   * @throws IllegalArgumentException when the text is not an encrypted PKCS#8 key
   */
  public static PrivateKey decrypt(String pem, char[] passphrase) throws UnrecoverableKeyException {
    Object o = readObject(pem);
    if (!(o instanceof PKCS8EncryptedPrivateKeyInfo)) {
      throw new IllegalArgumentException("not an encrypted PKCS#8 private key");
    }
    KdfLimits.requireBounded(((PKCS8EncryptedPrivateKeyInfo) o).getEncryptionAlgorithm(), "the encrypted key");
    PrivateKeyInfo info;
    try {
      InputDecryptorProvider dec = new JceOpenSSLPKCS8DecryptorProviderBuilder()
          .setProvider(KeyPairs.provider())
          .build(passphrase);
      info = Asn1Limits.guard(() -> ((PKCS8EncryptedPrivateKeyInfo) o).decryptPrivateKeyInfo(dec));
    } catch (OperatorCreationException e) {
      throw new IllegalArgumentException("unsupported key encryption: " + e.getMessage(), e);
    } catch (PKCSException | IllegalArgumentException | IllegalStateException e) {
      throw new UnrecoverableKeyException("wrong passphrase (or damaged key)");
    }
    try {
      return Asn1Limits.guard(() -> converter().getPrivateKey(info));
    } catch (PEMException | IllegalArgumentException e) {
      throw new UnrecoverableKeyException("wrong passphrase (or damaged key)");
    }
  }

  private static Object readObject(String pem) {
    if (pem.length() > MAX_PEM_BYTES) {
      throw new IllegalArgumentException("larger than " + MAX_PEM_BYTES + " bytes; not a key");
    }
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      Asn1Limits.checkPem(pem, MAX_PEM_BYTES);
      Object o = Asn1Limits.guard(p::readObject);
      if (o == null) {
        throw new IllegalArgumentException("no PEM private key found");
      }
      return o;
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalArgumentException && "no PEM private key found".equals(e.getMessage())) {
        throw (IllegalArgumentException) e;
      }
      throw new IllegalArgumentException("malformed PEM: " + e.getMessage(), e);
    }
  }

  private static JcaPEMKeyConverter converter() {
    return new JcaPEMKeyConverter().setProvider(KeyPairs.provider());
  }
}
