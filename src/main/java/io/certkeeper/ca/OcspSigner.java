package io.certkeeper.ca;

import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.StoreException;
import io.certkeeper.util.AtomicFiles;
import io.certkeeper.util.BoundedRead;
import io.certkeeper.x509.KeyPairs;
import io.certkeeper.x509.KeyType;
import io.certkeeper.x509.Pem;
import io.certkeeper.x509.PrivateKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The local CA's delegated OCSP responder certificate (RFC 6960 4.2.2.2) and its key, kept in the
 * CA directory as {@code ocsp-signer.pem} and {@code ocsp-signer.key.pem} (unencrypted PKCS#8, mode
 * 0600): signing an OCSP response needs this key only, never the CA passphrase. Issuing and renewing
 * the certificate needs the CA key, so the passphrase is read then, as {@link CrlRefresh} reads it.
 *
 * <p>The certificate is short-lived ({@code ca.ocsp.signer-validity}, 30 days by default) and
 * carries id-pkix-ocsp-nocheck: relying parties do not check its revocation, its short life stands
 * in for that. It is renewed when a third of its life is left ({@link #RENEW_WHEN_LEFT}), so every
 * response it signed (at most a third of its life long) ends before it does. Every signer the CA
 * issues is recorded in the store like other certificates, profile {@value #PROFILE}.
 */
public final class OcspSigner {
  static final String CERT = "ocsp-signer.pem";
  static final String KEY = "ocsp-signer.key.pem";
  /** The profile recorded in the store. */
  public static final String PROFILE = "ocsp-signer";
  /** Renew when this share of the signer's life is left. */
  static final double RENEW_WHEN_LEFT = 1.0 / 3.0;

  /** A signer certificate with its key, ready to sign responses. */
  public record Signer(X509Certificate certificate, PrivateKey key) {
    public Signer {
      Objects.requireNonNull(certificate, "certificate");
      Objects.requireNonNull(key, "key");
    }

    /** A new content signer (they are not thread-safe). */
    ContentSigner contentSigner() {
      String alg = KeyType.of(certificate.getPublicKey())
          .orElseThrow(() -> new IllegalStateException("unsupported OCSP signer key")).signatureAlgorithm();
      try {
        return new JcaContentSignerBuilder(alg).setProvider(KeyPairs.provider()).build(key);
      } catch (OperatorCreationException e) {
        throw new IllegalStateException("cannot sign with the OCSP signer key: " + e.getMessage(), e);
      }
    }
  }

  private final Path caDir;
  private final IssuedCertificateRepository repo;
  private final Optional<CrlRefresh.Passphrase> passphrase;
  private final Clock clock;
  private final Duration validity;
  private final AtomicReference<Signer> current = new AtomicReference<>();

  /**
   * @param passphrase how to read the CA passphrase when a signer must be issued; without it only
   *     an existing signer is used
   * @param validity the life of each signer certificate issued
   */
  public OcspSigner(Path caDir, IssuedCertificateRepository repo, Optional<CrlRefresh.Passphrase> passphrase,
      Clock clock, Duration validity) {
    this.caDir = Objects.requireNonNull(caDir, "caDir");
    this.repo = Objects.requireNonNull(repo, "repo");
    this.passphrase = Objects.requireNonNull(passphrase, "passphrase");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.validity = Objects.requireNonNull(validity, "validity");
    if (validity.compareTo(Duration.ofHours(1)) < 0) {
      throw new IllegalArgumentException("OCSP signer validity must be at least 1h, got " + validity);
    }
  }

  /** The signer in use; empty before the first {@link #refreshIfDue}. */
  public Optional<Signer> current() {
    return Optional.ofNullable(current.get());
  }

  /** What {@link #refreshIfDue} did. */
  public enum Outcome {
    /** The signer in the CA directory is fresh and now in use. */
    FRESH,
    /** A new signer certificate was issued, written and is now in use. */
    ISSUED
  }

  /**
   * Makes sure a signer is in use that the current issuer issued and that has more than a third of
   * its life left: reads the one in the CA directory, and issues a new one when there is none, it is
   * not the issuer's, or it is due.
   *
   * @throws CaException when a new one is needed but cannot be issued (no passphrase, wrong
   *     passphrase, files that cannot be written), saying why; a signer still valid stays in use
   */
  public Outcome refreshIfDue() throws CaException, StoreException {
    Instant now = clock.instant();
    Signer inUse = current.get();
    if (inUse != null && !isDue(inUse.certificate(), now)) {
      return Outcome.FRESH;
    }
    X509Certificate issuer = LocalCa.readCertificates(caDir).issuer();
    Optional<Signer> onDisk = read(caDir, issuer);
    if (onDisk.isPresent() && !isDue(onDisk.get().certificate(), now)) {
      current.set(onDisk.get());
      return Outcome.FRESH;
    }
    if (onDisk.isPresent() && isValid(onDisk.get().certificate(), now)) {
      current.set(onDisk.get()); // due, but good until the new one is there
    }
    if (passphrase.isEmpty()) {
      throw new CaException("the OCSP signing certificate in " + caDir + (onDisk.isPresent() ? " is due for renewal"
          : " is missing") + " and ca.passphrase is not set, so the CA cannot issue one");
    }
    char[] pass = null;
    try {
      pass = passphrase.get().read();
      Signer issued = issue(LocalCa.load(caDir, pass), repo, clock, validity);
      current.set(issued);
      return Outcome.ISSUED;
    } catch (IOException e) {
      throw new CaException("ca.passphrase: " + e.getMessage(), e);
    } finally {
      if (pass != null) {
        Arrays.fill(pass, '\0');
      }
    }
  }

  /** Whether a signer valid from notBefore to notAfter has a third of its life or less left at {@code now}. */
  static boolean isDue(X509Certificate cert, Instant now) {
    Instant notBefore = cert.getNotBefore().toInstant();
    Instant notAfter = cert.getNotAfter().toInstant();
    return !now.isBefore(renewalTime(notBefore, notAfter)) || now.isBefore(notBefore);
  }

  /** When a signer valid from {@code notBefore} to {@code notAfter} is renewed. */
  static Instant renewalTime(Instant notBefore, Instant notAfter) {
    long life = Duration.between(notBefore, notAfter).toSeconds();
    return notAfter.minusSeconds((long) (life * RENEW_WHEN_LEFT));
  }

  private static boolean isValid(X509Certificate cert, Instant now) {
    return !now.isBefore(cert.getNotBefore().toInstant()) && now.isBefore(cert.getNotAfter().toInstant());
  }

  /**
   * Issues a signer certificate for a new key (of the CA's key type), records it, and writes the
   * key (0600) and then the certificate into the CA directory.
   */
  static Signer issue(LocalCa ca, IssuedCertificateRepository repo, Clock clock, Duration validity)
      throws CaException, StoreException {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant notAfter = now.plus(validity);
    if (notAfter.isAfter(ca.issuerNotAfter())) {
      notAfter = ca.issuerNotAfter();
    }
    if (!notAfter.isAfter(now.plus(Duration.ofHours(1)))) {
      throw new CaException("the issuing CA expires at " + ca.issuerNotAfter() + "; too soon for an OCSP signer");
    }
    KeyPair keys = KeyPairs.generate(ca.certificates().manifest().keyType());
    String cn = ca.issuer().getSubjectX500Principal().getName().replaceFirst("(?i)^CN=", "");
    cn = (cn.length() > 50 ? cn.substring(0, 50) : cn) + " OCSP";
    for (int attempt = 1; attempt <= Issuer.SERIAL_ATTEMPTS; attempt++) {
      X509Certificate cert = CertificateProfiles.ocspSigner(ca, cn, keys.getPublic(), SerialNumbers.next(clock),
          now.minus(CertificateProfiles.BACKDATE), notAfter);
      if (repo.record(cert, ca.issuerSha256(), PROFILE, now)) {
        try {
          // the key first: a certificate on disk always has its key beside it
          AtomicFiles.write(ca.directory().resolve(KEY),
              PrivateKeys.toPkcs8Pem(keys.getPrivate()).getBytes(StandardCharsets.US_ASCII), AtomicFiles.PRIVATE);
          AtomicFiles.write(ca.directory().resolve(CERT), Pem.encode(cert).getBytes(StandardCharsets.US_ASCII),
              AtomicFiles.PRIVATE);
        } catch (IOException e) {
          throw new CaException("cannot write the OCSP signer to " + ca.directory() + ": " + e.getMessage(), e);
        }
        return new Signer(cert, keys.getPrivate());
      }
    }
    throw new CaException("no unused serial number after " + Issuer.SERIAL_ATTEMPTS + " attempts; is the random source broken?");
  }

  /**
   * The signer in {@code caDir} when it is there, readable, issued by {@code issuer} and its key
   * belongs to it; otherwise empty (it will be replaced).
   */
  static Optional<Signer> read(Path caDir, X509Certificate issuer) {
    Path certFile = caDir.resolve(CERT);
    Path keyFile = caDir.resolve(KEY);
    if (!Files.exists(certFile) || !Files.exists(keyFile)) {
      return Optional.empty();
    }
    try {
      List<X509Certificate> certs = Pem.parseCertificates(BoundedRead.text(certFile, Pem.MAX_FILE_BYTES,
          StandardCharsets.ISO_8859_1));
      X509Certificate cert = certs.get(0);
      cert.verify(issuer.getPublicKey(), KeyPairs.provider());
      if (!cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
        return Optional.empty();
      }
      PrivateKey key = PrivateKeys.parse(BoundedRead.text(keyFile, PrivateKeys.MAX_PEM_BYTES,
          StandardCharsets.ISO_8859_1));
      Signer s = new Signer(cert, key);
      if (!matches(s)) {
        return Optional.empty();
      }
      return Optional.of(s);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static boolean matches(Signer s) {
    try {
      String alg = KeyType.of(s.certificate().getPublicKey()).map(KeyType::signatureAlgorithm).orElse("none");
      byte[] probe = "certkeeper key check".getBytes(StandardCharsets.US_ASCII);
      java.security.Signature sig = java.security.Signature.getInstance(alg, KeyPairs.provider());
      sig.initSign(s.key());
      sig.update(probe);
      byte[] signed = sig.sign();
      java.security.Signature v = java.security.Signature.getInstance(alg, KeyPairs.provider());
      v.initVerify(s.certificate().getPublicKey());
      v.update(probe);
      return v.verify(signed);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }
}
