package io.certkeeper.x509;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers, for a bounded number of recent (issuer key, certificate) pairs, that the signature
 * verified, so the prober re-validating the same chain every few minutes does not pay for the
 * public-key operations again. Keyed by SHA-256 over the issuer's key and the whole certificate,
 * so a hit means exactly the same bytes were verified before. Only successes are kept; the
 * least recently used entry goes first. Thread-safe.
 */
final class SignatureCache {
  /** About 100 bytes per entry: a few hundred kilobytes at most. */
  static final int DEFAULT_CAPACITY = 4_096;

  private final Map<ByteBuffer, Boolean> verified;

  SignatureCache(int capacity) {
    this.verified = new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
        return size() > capacity;
      }
    };
  }

  /** Whether {@code issuer}'s key verifies the signature on {@code cert}. */
  boolean verify(ParsedCertificate cert, ParsedCertificate issuer) {
    ByteBuffer key = key(cert, issuer);
    synchronized (verified) {
      if (verified.get(key) != null) {
        return true;
      }
    }
    boolean ok = Algorithms.verify(cert, issuer.publicKey);
    if (ok) {
      synchronized (verified) {
        verified.put(key, Boolean.TRUE);
      }
    }
    return ok;
  }

  private static ByteBuffer key(ParsedCertificate cert, ParsedCertificate issuer) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update(issuer.spki);
      sha256.update(cert.encoded);
      return ByteBuffer.wrap(sha256.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
