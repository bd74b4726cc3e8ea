package io.certkeeper.ca;

import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.StoreException;
import io.certkeeper.util.CpuSlots;
import io.certkeeper.util.Durations;
import io.certkeeper.x509.KeyPairs;
import io.certkeeper.x509.KeyType;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Issues leaf certificates from a loaded {@link LocalCa}: checks the request against the {@link
 * CaPolicy}, generates the key when asked to, signs, and records the certificate in the store
 * before returning it. Whatever the caller does next (write files, print), the store already knows
 * the certificate.
 */
public final class Issuer {
  /** Attempts with fresh serials before giving up; more than one means a broken random source. */
  static final int SERIAL_ATTEMPTS = 5;

  private final LocalCa ca;
  private final CaPolicy policy;
  private final IssuedCertificateRepository repo;
  private final Clock clock;
  private final LeafUrls urls;

  private Issuer(LocalCa ca, CaPolicy policy, IssuedCertificateRepository repo, Clock clock, LeafUrls urls) {
    this.ca = Objects.requireNonNull(ca, "ca");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.repo = Objects.requireNonNull(repo, "repo");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.urls = Objects.requireNonNull(urls, "urls");
  }

  /**
   * An issuer over {@code ca}.
   *
   * @param crlUrl when present, every leaf names it as its CRL distribution point
   */
  public static Issuer forCa(LocalCa ca, CaPolicy policy, IssuedCertificateRepository repo, Clock clock,
      Optional<String> crlUrl) {
    return new Issuer(ca, policy, repo, clock, LeafUrls.crlOnly(crlUrl));
  }

  /**
   * An issuer over {@code ca} whose leaves name {@code urls}: CRL distribution point, OCSP
   * responder and caIssuers, each when present.
   */
  public static Issuer forCa(LocalCa ca, CaPolicy policy, IssuedCertificateRepository repo, Clock clock,
      LeafUrls urls) {
    return new Issuer(ca, policy, repo, clock, urls);
  }

  /**
   * Checks {@code request} as {@link #issue} would, issuing nothing: for callers that check many
   * before they issue any.
   *
   * @throws PolicyException when policy refuses the request
   * @throws CaException when the certificate would outlive its issuer
   */
  public void check(IssueRequest request) throws CaException {
    check(request, clock.instant().truncatedTo(ChronoUnit.SECONDS));
  }

  /** The checks of {@link #issue}; returns the SANs, the CN among them. */
  private List<San> check(IssueRequest request, Instant now) throws CaException {
    KeyType keyType;
    if (request.keyType().isPresent()) {
      keyType = request.keyType().get();
    } else {
      PublicKey k = request.publicKey().get();
      keyType = KeyType.of(k).orElseThrow(() -> new PolicyException(
          "unsupported public key (" + k.getAlgorithm() + "); supported key types: " + KeyType.codes()));
    }
    List<San> sans;
    try {
      sans = San.withCommonName(request.commonName(), request.sans());
    } catch (IllegalArgumentException e) {
      throw new PolicyException(e.getMessage());
    }
    policy.check(keyType, request.validity(), sans);
    Instant notAfter = now.plus(request.validity());
    if (notAfter.isAfter(ca.issuerNotAfter())) {
      throw new CaException("a certificate valid for " + Durations.format(request.validity()) + " (until " + notAfter
          + ") would outlive its issuer '" + ca.issuer().getSubjectX500Principal().getName()
          + "' (valid until " + ca.issuerNotAfter() + "); ask for a shorter validity");
    }
    return sans;
  }

  /**
   * Checks, signs and records {@code request}.
   *
   * @throws PolicyException when policy refuses the request (nothing issued)
   * @throws CaException when the certificate would outlive its issuer (nothing issued)
   */
  public IssuedCertificate issue(IssueRequest request) throws CaException, StoreException {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    List<San> sans = check(request, now);
    Instant notAfter = now.plus(request.validity());
    Optional<KeyPair> keys;
    X509Certificate cert;
    CpuSlots.PROCESS.acquire();
    try {
      keys = request.keyType().map(KeyPairs::generate);
      cert = sign(request, sans, keys, now, notAfter);
    } finally {
      CpuSlots.PROCESS.release();
    }
    for (int attempt = 1; attempt <= SERIAL_ATTEMPTS; attempt++) {
      if (attempt > 1) {
        cert = sign(request, sans, keys, now, notAfter); // lost a race for the serial: a new one, rarely
      }
      if (repo.record(cert, ca.issuerSha256(), request.profile().code(), now)) {
        Optional<PrivateKey> key = keys.map(KeyPair::getPrivate);
        return new IssuedCertificate(cert, ca.chain(), key, request.profile());
      }
    }
    throw new CaException("no unused serial number after " + SERIAL_ATTEMPTS + " attempts; is the random source broken?");
  }

  private X509Certificate sign(IssueRequest request, List<San> sans, Optional<KeyPair> keys, Instant now,
      Instant notAfter) {
    PublicKey publicKey = keys.map(KeyPair::getPublic).orElseGet(() -> request.publicKey().get());
    return ca.signLeaf(request.commonName(), sans, publicKey, request.profile(), SerialNumbers.next(clock),
        now.minus(CertificateProfiles.BACKDATE), notAfter, urls);
  }
}
