package io.certkeeper.renew;

import io.certkeeper.ca.SerialNumbers;
import io.certkeeper.store.GenerationInForce;
import io.certkeeper.util.BoundedRead;
import io.certkeeper.x509.Fingerprints;
import io.certkeeper.x509.KeyPairs;
import io.certkeeper.x509.KeyType;
import io.certkeeper.x509.Pem;
import io.certkeeper.x509.PrivateKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One complete generation of a managed certificate: the key, the certificate and its issuer
 * chain, as written in {@code managed/NAME/generations/SERIAL/}.
 */
record Generation(PrivateKey key, X509Certificate certificate, List<X509Certificate> chain) {
  /** Files larger than this in a generation folder are refused. */
  static final long MAX_FILE = 1024 * 1024;

  Generation {
    chain = List.copyOf(chain);
  }

  String serial() {
    return SerialNumbers.hex(certificate.getSerialNumber());
  }

  String sha256() {
    return Fingerprints.sha256(certificate);
  }

  String keySha256() {
    return Fingerprints.spkiSha256(certificate);
  }

  Instant notBefore() {
    return certificate.getNotBefore().toInstant();
  }

  Instant notAfter() {
    return certificate.getNotAfter().toInstant();
  }

  /** This generation as the store records it when it is put in force. */
  GenerationInForce inForce() {
    return new GenerationInForce(serial(), sha256(), keySha256(), notBefore(), notAfter());
  }

  List<X509Certificate> fullChain() {
    List<X509Certificate> all = new ArrayList<>();
    all.add(certificate);
    all.addAll(chain);
    return all;
  }

  String keyPem() {
    return PrivateKeys.toPkcs8Pem(key);
  }

  String certPem() {
    return Pem.encode(certificate);
  }

  String chainPem() {
    return Pem.encodeAll(chain);
  }

  String fullchainPem() {
    return Pem.encodeAll(fullChain());
  }

  /**
   * Reads the generation in {@code dir} and checks that the key belongs to the certificate.
   *
   * @throws IOException naming the folder and what is wrong (missing, unreadable, mismatched)
   */
  static Generation read(Path dir) throws IOException {
    try {
      PrivateKey key = PrivateKeys.parse(text(dir.resolve(ManagedLayout.KEY)));
      List<X509Certificate> certs = Pem.parseCertificates(text(dir.resolve(ManagedLayout.CERT)));
      String chainText = text(dir.resolve(ManagedLayout.CHAIN));
      // empty when the root signs leaves itself
      List<X509Certificate> chain = chainText.isBlank() ? List.of() : Pem.parseCertificates(chainText);
      if (certs.size() != 1) {
        throw new IOException(dir + ": " + ManagedLayout.CERT + " holds " + certs.size() + " certificates, expected 1");
      }
      Generation g = new Generation(key, certs.get(0), chain);
      if (!matches(key, certs.get(0))) {
        throw new IOException(dir + ": the key does not belong to the certificate");
      }
      return g;
    } catch (IllegalArgumentException e) {
      throw new IOException(dir + ": " + e.getMessage(), e);
    }
  }

  private static String text(Path f) throws IOException {
    return BoundedRead.text(f, MAX_FILE, StandardCharsets.US_ASCII);
  }

  /** Whether {@code key} is the private half of {@code cert}'s public key (by a test signature). */
  static boolean matches(PrivateKey key, X509Certificate cert) {
    KeyType type = KeyType.of(cert.getPublicKey()).orElse(null);
    if (type == null) {
      return false;
    }
    try {
      byte[] data = "certkeeper key check".getBytes(StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(type.signatureAlgorithm(), KeyPairs.provider());
      s.initSign(key);
      s.update(data);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(type.signatureAlgorithm(), KeyPairs.provider());
      v.initVerify(cert.getPublicKey());
      v.update(data);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
