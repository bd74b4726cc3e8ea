package io.certkeeper.ca;

import io.certkeeper.store.CrlState;
import io.certkeeper.store.IssuedCertificateRecord;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.StoreException;
import io.certkeeper.util.AtomicFiles;
import io.certkeeper.x509.KeyPairs;
import io.certkeeper.x509.Pem;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.X509v2CRLBuilder;

/**
 * Revokes certificates and publishes the issuer's CRL ({@code crl.der} and {@code crl.pem} in the CA
 * directory). A new CRL is signed on every revocation and whenever the current one has used up
 * {@link #REFRESH_AT} of its validity, so relying parties never see one past its nextUpdate.
 * CRL numbers come from the store and only grow.
 */
public final class CrlPublisher {
  /** The default time from thisUpdate to nextUpdate. */
  public static final Duration DEFAULT_VALIDITY = Duration.ofDays(7);
  /** Re-sign once half of the CRL's validity has passed: leaves the other half for failures. */
  static final double REFRESH_AT = 0.5;

  private final LocalCa ca;
  private final IssuedCertificateRepository repo;
  private final Clock clock;
  private final Duration validity;

  private CrlPublisher(LocalCa ca, IssuedCertificateRepository repo, Clock clock, Duration validity) {
    this.ca = Objects.requireNonNull(ca, "ca");
    this.repo = Objects.requireNonNull(repo, "repo");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (validity.isNegative() || validity.isZero()) {
      throw new IllegalArgumentException("CRL validity must be positive");
    }
    this.validity = validity;
  }

  /** A publisher for {@code ca}'s issuer, signing CRLs valid for {@code validity}. */
  public static CrlPublisher forCa(LocalCa ca, IssuedCertificateRepository repo, Clock clock, Duration validity) {
    return new CrlPublisher(ca, repo, clock, validity);
  }

  /** Where the current DER CRL is. */
  public Path derFile() {
    return ca.directory().resolve(LocalCa.CRL_DER);
  }

  /** Where the current PEM CRL is. */
  public Path pemFile() {
    return ca.directory().resolve(LocalCa.CRL_PEM);
  }

  /**
   * Revokes the certificate with {@code serial} (any hex form) and publishes a new CRL.
   *
   * @return the revoked certificate's record
   * @throws CaException when this CA's issuer did not issue it, or it is revoked already
   */
  public IssuedCertificateRecord revoke(String serial, RevocationReason reason) throws CaException, StoreException {
    String s;
    try {
      s = SerialNumbers.normalize(serial);
    } catch (IllegalArgumentException e) {
      throw new CaException(e.getMessage());
    }
    Optional<IssuedCertificateRecord> found = repo.find(s);
    if (found.isEmpty()) {
      throw new CaException("no certificate with serial " + s + " was issued by this CA");
    }
    IssuedCertificateRecord r = found.get();
    if (!r.issuerSha256().equals(ca.issuerSha256()) || r.sha256().equals(r.issuerSha256())) {
      throw new CaException("serial " + s + " is a " + r.profile() + " certificate not issued by the current issuing CA;"
          + " only leaf certificates can be revoked");
    }
    if (r.revoked()) {
      throw new CaException("serial " + s + " was already revoked at " + r.revokedAt().get()
          + " (" + r.revocationReason().orElse("unspecified") + ")");
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    if (!repo.revoke(s, reason.code(), now)) {
      throw new CaException("serial " + s + " was revoked concurrently");
    }
    publish();
    return repo.find(s).orElseThrow();
  }

  /**
   * Signs and writes a new CRL listing every certificate the issuer revoked. Runs under the
   * store's CRL lock of the issuer (see {@link IssuedCertificateRepository#publishCrl}): concurrent
   * publishers, in this process or others, take turns, each lists every revocation committed before
   * its turn, and the file on disk only ever moves to a higher CRL number. The number is one above
   * both the store's and the one on disk, so a CRL written by a publisher that died before its
   * commit is never followed by another CRL with the same number.
   */
  public X509CRL publish() throws CaException, StoreException {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    byte[][] signed = new byte[1][];
    repo.publishCrl(ca.issuerSha256(), now, now.plus(validity), (last, revoked) -> {
      long number = Math.max(last, onDiskNumber()) + 1;
      byte[] der = sign(number, now, now.plus(validity), revoked);
      try {
        // Owner-only like everything under the data dir; `certkeeper crl --out` publishes a copy.
        AtomicFiles.write(derFile(), der, AtomicFiles.PRIVATE);
        AtomicFiles.write(pemFile(), Pem.block("X509 CRL", der).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            AtomicFiles.PRIVATE);
      } catch (IOException e) {
        throw new CaException("cannot write the CRL to " + derFile() + ": " + e.getMessage(), e);
      }
      signed[0] = der;
      return new io.certkeeper.store.SignedCrl(number, der);
    });
    return parse(signed[0]);
  }

  private byte[] sign(long number, Instant thisUpdate, Instant nextUpdate, List<IssuedCertificateRecord> revoked) {
    X509v2CRLBuilder b = new X509v2CRLBuilder(ca.issuerName(), Date.from(thisUpdate));
    b.setNextUpdate(Date.from(nextUpdate));
    for (IssuedCertificateRecord r : revoked) {
      RevocationReason reason = r.revocationReason().map(RevocationReason::parse).orElse(RevocationReason.UNSPECIFIED);
      BigInteger serial = new BigInteger(r.serial(), 16);
      Date at = Date.from(r.revokedAt().get());
      if (reason == RevocationReason.UNSPECIFIED) {
        b.addCRLEntry(serial, at, null); // RFC 5280: reasonCode unspecified SHOULD be absent
      } else {
        b.addCRLEntry(serial, at, reason.crlReason());
      }
    }
    try {
      b.addExtension(Extension.authorityKeyIdentifier, false, ca.issuerKeyId());
      b.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(number)));
      return b.build(ca.signer()).getEncoded();
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode the CRL: " + e.getMessage(), e);
    }
  }

  /**
   * The number of the CRL in {@link #derFile()} when it is this issuer's, else 0 (no file, or one
   * that does not parse or is not signed by the issuer: it is replaced).
   */
  long onDiskNumber() {
    return onDiskNumber(derFile(), ca.issuer());
  }

  /** The number of the CRL in {@code der} when {@code issuer} signed it, else 0. */
  static long onDiskNumber(Path der, java.security.cert.X509Certificate issuer) {
    try {
      X509CRL crl = parse(Files.readAllBytes(der));
      crl.verify(issuer.getPublicKey(), KeyPairs.provider());
      byte[] ext = crl.getExtensionValue(Extension.cRLNumber.getId());
      if (ext == null) {
        return 0;
      }
      return CRLNumber.getInstance(JcaX509ExtensionUtils.parseExtensionValue(ext)).getCRLNumber().longValueExact();
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      return 0;
    }
  }

  /** Publishes a new CRL when there is none yet or the current one is due for renewal. */
  public boolean refreshIfDue() throws CaException, StoreException {
    if (!isDue(ca.directory(), repo.crlState(ca.issuerSha256()), clock.instant())) {
      return false;
    }
    publish();
    return true;
  }

  /**
   * Whether the CA in {@code caDir}, whose last CRL is {@code state}, needs a new CRL at {@code now}:
   * none was published, its files are missing, or it has used up {@link #REFRESH_AT} of its
   * validity. Needs no key, so callers can serve a fresh CRL without the passphrase.
   */
  public static boolean isDue(Path caDir, Optional<CrlState> state, Instant now) {
    return state.isEmpty()
        || !Files.exists(caDir.resolve(LocalCa.CRL_DER))
        || !Files.exists(caDir.resolve(LocalCa.CRL_PEM))
        || !now.isBefore(refreshTime(state.get().thisUpdate(), state.get().nextUpdate()));
  }

  /** Where the DER CRL of the CA in {@code caDir} is. */
  public static Path derFile(Path caDir) {
    return caDir.resolve(LocalCa.CRL_DER);
  }

  /** When a CRL valid from {@code thisUpdate} to {@code nextUpdate} should be replaced. */
  static Instant refreshTime(Instant thisUpdate, Instant nextUpdate) {
    long span = Duration.between(thisUpdate, nextUpdate).toSeconds();
    return thisUpdate.plusSeconds((long) (span * REFRESH_AT));
  }

  private static X509CRL parse(byte[] der) {
    try {
      return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new java.io.ByteArrayInputStream(der));
    } catch (CertificateException | CRLException e) {
      throw new IllegalStateException("the CRL just signed does not parse: " + e.getMessage(), e);
    }
  }
}
