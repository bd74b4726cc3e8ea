package io.certkeeper.x509;

import java.math.BigInteger;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Null;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.misc.MiscObjectIdentifiers;
import org.bouncycastle.asn1.misc.ScryptParams;
import org.bouncycastle.asn1.pkcs.AuthenticatedSafe;
import org.bouncycastle.asn1.pkcs.ContentInfo;
import org.bouncycastle.asn1.pkcs.EncryptedData;
import org.bouncycastle.asn1.pkcs.EncryptedPrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.KeyDerivationFunc;
import org.bouncycastle.asn1.pkcs.MacData;
import org.bouncycastle.asn1.pkcs.PBES2Parameters;
import org.bouncycastle.asn1.pkcs.PBEParameter;
import org.bouncycastle.asn1.pkcs.PBKDF2Params;
import org.bouncycastle.asn1.pkcs.PKCS12PBEParams;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.Pfx;
import org.bouncycastle.asn1.pkcs.SafeBag;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

/**
 * Bounds on password-based key derivation in files from outside. An encrypted key or a PKCS#12
 * bundle names its own iteration count; a hostile one asks for billions and turns one read into
 * minutes of CPU. certkeeper writes 210,000 (keys) and 10,000 (PKCS#12) iterations; anything above
 * {@link #MAX_ITERATIONS} is refused before any derivation runs.
 */
final class KdfLimits {
  /**
   * The most PBKDF2 (or PKCS#12 KDF, or PBKDF1) iterations accepted: OWASP's 2023 recommendation
   * for PBKDF2-HMAC-SHA256, about three times what certkeeper writes, and well under a second.
   */
  static final int MAX_ITERATIONS = 600_000;
  /** The largest scrypt cost (N × r × p) accepted: 64 times OpenSSL's default (16384 × 8 × 1). */
  static final long MAX_SCRYPT_COST = 16_384L * 8 * 64;

  private KdfLimits() {}

  /** Throws when {@code algorithm} (a PBE or PBES2 identifier) asks for more work than allowed. */
  static void requireBounded(AlgorithmIdentifier algorithm, String what) {
    ASN1ObjectIdentifier oid = algorithm.getAlgorithm();
    ASN1Encodable params = algorithm.getParameters();
    if (params == null || params instanceof ASN1Null) {
      return;
    }
    if (PKCSObjectIdentifiers.id_PBES2.equals(oid)) {
      KeyDerivationFunc kdf = PBES2Parameters.getInstance(params).getKeyDerivationFunc();
      if (PKCSObjectIdentifiers.id_PBKDF2.equals(kdf.getAlgorithm())) {
        require(PBKDF2Params.getInstance(kdf.getParameters()).getIterationCount(), what);
      } else if (MiscObjectIdentifiers.id_scrypt.equals(kdf.getAlgorithm())) {
        ScryptParams s = ScryptParams.getInstance(kdf.getParameters());
        BigInteger cost = s.getCostParameter().multiply(s.getBlockSize()).multiply(s.getParallelizationParameter());
        if (cost.compareTo(BigInteger.valueOf(MAX_SCRYPT_COST)) > 0) {
          throw new IllegalArgumentException(what + " asks for an scrypt cost of " + cost + ", more than the "
              + MAX_SCRYPT_COST + " allowed");
        }
      }
    } else if (oid.on(PKCSObjectIdentifiers.pkcs_12PbeIds)) {
      require(PKCS12PBEParams.getInstance(params).getIterations(), what);
    } else if (oid.on(PKCSObjectIdentifiers.pkcs_5)) {
      require(PBEParameter.getInstance(params).getIterationCount(), what);
    }
  }

  /**
   * Throws when a PKCS#12 bundle's MAC, encrypted contents or shrouded keys ask for more work than
   * allowed. Structures this walk does not recognise are left to the keystore reader to judge.
   */
  static void requireBoundedPkcs12(byte[] der) {
    Pfx pfx;
    try {
      pfx = Pfx.getInstance(der);
    } catch (RuntimeException e) {
      return; // not PKCS#12 as Bouncy Castle reads it: the keystore reader says what is wrong
    }
    MacData mac = pfx.getMacData();
    if (mac != null) {
      require(mac.getIterationCount(), "the keystore's integrity check");
    }
    ContentInfo auth = pfx.getAuthSafe();
    if (!PKCSObjectIdentifiers.data.equals(auth.getContentType())) {
      return;
    }
    AuthenticatedSafe safe = AuthenticatedSafe.getInstance(ASN1OctetString.getInstance(auth.getContent()).getOctets());
    for (ContentInfo ci : safe.getContentInfo()) {
      if (PKCSObjectIdentifiers.encryptedData.equals(ci.getContentType())) {
        requireBounded(EncryptedData.getInstance(ci.getContent()).getEncryptionAlgorithm(),
            "the keystore's encrypted contents");
      } else if (PKCSObjectIdentifiers.data.equals(ci.getContentType())) {
        ASN1Sequence bags = ASN1Sequence.getInstance(ASN1OctetString.getInstance(ci.getContent()).getOctets());
        for (ASN1Encodable b : bags) {
          SafeBag bag = SafeBag.getInstance(b);
          if (PKCSObjectIdentifiers.pkcs8ShroudedKeyBag.equals(bag.getBagId())) {
            requireBounded(EncryptedPrivateKeyInfo.getInstance(bag.getBagValue()).getEncryptionAlgorithm(),
                "the keystore's private key");
          }
        }
      }
    }
  }

  private static void require(BigInteger iterations, String what) {
    if (iterations.compareTo(BigInteger.valueOf(MAX_ITERATIONS)) > 0) {
      throw new IllegalArgumentException(what + " asks for " + iterations + " key-derivation iterations, more than the "
          + MAX_ITERATIONS + " allowed");
    }
  }
}
