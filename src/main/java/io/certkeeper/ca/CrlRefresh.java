package io.certkeeper.ca;

import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.StoreException;
import io.certkeeper.x509.Fingerprints;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * Keeps the local CA's CRL fresh from the daemon. Listeners with client authentication refuse every
 * client once the local CA's CRL is past its nextUpdate (fail-closed), so the CRL must not wait for
 * someone to run {@code certkeeper crl}: the daemon re-signs it when half its validity has passed
 * ({@link CrlPublisher#isDue}), checked at start and every 30 seconds.
 */
public final class CrlRefresh {
  /** Reads the CA passphrase when a CRL must be signed; the caller clears nothing, this class does. */
  @FunctionalInterface
  public interface Passphrase {
    char[] read() throws java.io.IOException;
  }

  private final Path caDir;
  private final IssuedCertificateRepository repo;
  private final Optional<Passphrase> passphrase;
  private final Clock clock;
  private final Duration validity;

  public CrlRefresh(Path caDir, IssuedCertificateRepository repo, Optional<Passphrase> passphrase, Clock clock,
      Duration validity) {
    this.caDir = Objects.requireNonNull(caDir, "caDir");
    this.repo = Objects.requireNonNull(repo, "repo");
    this.passphrase = Objects.requireNonNull(passphrase, "passphrase");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.validity = Objects.requireNonNull(validity, "validity");
  }

  /** What one run did. */
  public enum Outcome {
    /** There is no local CA here. */
    NO_CA,
    /** The current CRL is fresh enough. */
    FRESH,
    /** A new CRL was signed and written. */
    PUBLISHED
  }

  /**
   * Signs a new CRL when the current one is due.
   *
   * @throws CaException when one is due but cannot be signed (no passphrase, wrong passphrase, a
   *     file that cannot be written), saying why
   */
  public Outcome refreshIfDue() throws CaException, StoreException {
    if (!LocalCa.exists(caDir)) {
      return Outcome.NO_CA;
    }
    String issuer = Fingerprints.sha256(LocalCa.readCertificates(caDir).issuer());
    if (!CrlPublisher.isDue(caDir, repo.crlState(issuer), clock.instant())) {
      return Outcome.FRESH;
    }
    if (passphrase.isEmpty()) {
      throw new CaException("the local CA's CRL is due for re-signing but ca.passphrase is not set;"
          + " run 'certkeeper crl' before it expires or client-auth listeners will refuse every client");
    }
    char[] pass = null;
    try {
      pass = passphrase.get().read();
      LocalCa ca = LocalCa.load(caDir, pass);
      CrlPublisher.forCa(ca, repo, clock, validity).publish();
      return Outcome.PUBLISHED;
    } catch (java.io.IOException e) {
      throw new CaException("ca.passphrase: " + e.getMessage(), e);
    } finally {
      if (pass != null) {
        Arrays.fill(pass, '\0');
      }
    }
  }
}
