package io.certkeeper.ca;

import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.StoreException;
import io.certkeeper.util.AtomicFiles;
import io.certkeeper.x509.Pem;
import io.certkeeper.x509.Fingerprints;
import io.certkeeper.x509.KeyPairs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Brings this node's copy of the local CA's CRL ({@code crl.der}, {@code crl.pem} in the CA
 * directory) up to the newest one in the store, which any node holding the CA may have signed.
 * Needs no passphrase: it only writes what the CA signed, after checking the signature with this
 * node's CA certificate.
 */
public final class CrlCopy {
  private final Path caDir;
  private final IssuedCertificateRepository repo;

  public CrlCopy(Path caDir, IssuedCertificateRepository repo) {
    this.caDir = Objects.requireNonNull(caDir, "caDir");
    this.repo = Objects.requireNonNull(repo, "repo");
  }

  /**
   * Writes the store's newest CRL when it is newer than the one here. Returns its number when it
   * wrote it; nothing when there is no local CA here, the store has no CRL of it, or the one here is
   * as new.
   *
   * @throws CaException when the store's CRL is not signed by this node's CA (another CA's
   *     directory under the same issuer fingerprint cannot happen; a damaged row can), or the files
   *     cannot be written
   */
  public OptionalLong refresh() throws CaException, StoreException {
    if (!LocalCa.exists(caDir)) {
      return OptionalLong.empty();
    }
    X509Certificate issuer = LocalCa.readCertificates(caDir).issuer();
    Path der = CrlPublisher.derFile(caDir);
    long here = CrlPublisher.onDiskNumber(der, issuer);
    // the common case, read without the lock: nothing newer in the store
    if (repo.crlState(Fingerprints.sha256(issuer)).filter(s -> s.crlNumber() > here).isEmpty()) {
      return OptionalLong.empty();
    }
    long[] written = {-1};
    repo.withLatestCrl(Fingerprints.sha256(issuer), newest -> {
      if (newest.number() <= CrlPublisher.onDiskNumber(der, issuer)) {
        return;
      }
      try {
        X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509")
            .generateCRL(new ByteArrayInputStream(newest.der()));
        crl.verify(issuer.getPublicKey(), KeyPairs.provider());
      } catch (GeneralSecurityException | RuntimeException e) {
        throw new CaException("the store's CRL " + newest.number() + " is not one this CA signed: " + e.getMessage(), e);
      }
      try {
        AtomicFiles.write(der, newest.der(), AtomicFiles.PRIVATE);
        AtomicFiles.write(caDir.resolve(LocalCa.CRL_PEM),
            Pem.block("X509 CRL", newest.der()).getBytes(StandardCharsets.US_ASCII), AtomicFiles.PRIVATE);
      } catch (IOException e) {
        throw new CaException("cannot write the CRL to " + der + ": " + e.getMessage(), e);
      }
      written[0] = newest.number();
    });
    return written[0] < 0 ? OptionalLong.empty() : OptionalLong.of(written[0]);
  }
}
