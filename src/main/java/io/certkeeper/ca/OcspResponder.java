package io.certkeeper.ca;

import io.certkeeper.config.CaConfig;
import io.certkeeper.store.CrlState;
import io.certkeeper.store.IssuedCertificateRecord;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.StoreException;
import io.certkeeper.util.TokenBucket;
import io.certkeeper.x509.Asn1Limits;
import io.certkeeper.x509.Fingerprints;
import java.io.IOException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.RevokedInfo;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * The local CA's OCSP responder (RFC 6960, with the lightweight profile of RFC 5019): answers a
 * DER OCSPRequest about a certificate of the CA's issuer with a response signed by the delegated
 * {@link OcspSigner}, naming the responder by key hash.
 *
 * <ul>
 *   <li>{@code good}, {@code revoked} (time and reason from the store) or {@code unknown} (a serial
 *       this issuer never issued); a request about another issuer is {@code unauthorized}, bytes
 *       that are not one OCSP request {@code malformedRequest}.
 *   <li>Responses are signed once and kept in memory ({@link #MAX_CACHED} at most): thisUpdate
 *       is the signing time, nextUpdate {@code ca.ocsp.validity} later, and a response is signed
 *       again once half of that has passed, so what is served always has half its validity left.
 *       The first response about a certificate is signed when it is first asked for; its
 *       successors are signed ahead of time by {@link #refreshAhead} while it is asked for.
 *   <li>A revocation sets the cache aside: {@link #checkForRevocations} (run every few seconds)
 *       notices a new CRL number, which every revocation brings, by this process or another. A
 *       response signed from a store read before that change is never served after it.
 *   <li>Nonces are ignored (RFC 5019 2.2), unless {@code ca.ocsp.sign-on-demand}: then a request
 *       with a nonce gets a response of its own with the nonce echoed, within the rate limit; past
 *       it, the cached response. Responses about unknown serials are not cached (anyone can ask
 *       for any number) and share the rate limit; past it they are {@code tryLater}.
 * </ul>
 */
public final class OcspResponder {
  /** A larger request is malformed: a request about one certificate is about a hundred bytes. */
  public static final int MAX_REQUEST_BYTES = 8 * 1024;
  /** Responses kept in memory; the least recently used goes first. */
  static final int MAX_CACHED = 10_000;

  /** What a request got. */
  public enum Status {
    GOOD, REVOKED, UNKNOWN, MALFORMED_REQUEST, UNAUTHORIZED, TRY_LATER, INTERNAL_ERROR;

    /** Whether the response is signed and says something about a certificate. */
    public boolean isSigned() {
      return this == GOOD || this == REVOKED || this == UNKNOWN;
    }
  }

  /**
   * A DER OCSPResponse and what HTTP caches may do with it.
   *
   * @param thisUpdate when the status was established (present on signed responses)
   * @param nextUpdate when newer information will be there (present on signed responses)
   * @param cacheable whether HTTP caches may keep it until nextUpdate: false for responses that
   *     echo a nonce, about unknown serials, and for errors
   */
  public record Answer(Status status, byte[] der, Optional<Instant> thisUpdate, Optional<Instant> nextUpdate,
      boolean cacheable) {
    public Answer {
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(der, "der");
    }

    static Answer error(Status status, int code) {
      try {
        return new Answer(status, new OCSPRespBuilder().build(code, null).getEncoded(), Optional.empty(),
            Optional.empty(), false);
      } catch (IOException | OCSPException e) {
        throw new AssertionError(e);
      }
    }
  }

  private static final Answer MALFORMED = Answer.error(Status.MALFORMED_REQUEST, OCSPRespBuilder.MALFORMED_REQUEST);
  private static final Answer UNAUTHORIZED = Answer.error(Status.UNAUTHORIZED, OCSPRespBuilder.UNAUTHORIZED);
  private static final Answer TRY_LATER = Answer.error(Status.TRY_LATER, OCSPRespBuilder.TRY_LATER);
  private static final Answer INTERNAL_ERROR = Answer.error(Status.INTERNAL_ERROR, OCSPRespBuilder.INTERNAL_ERROR);

  /**
   * A signed response in the cache, served to lookups of the generation it was signed in until
   * {@code refreshAt}.
   *
   * @param wanted whether it was asked for since it was signed: only such responses are signed
   *     again ahead of time, the others are let go
   */
  private record Cached(long generation, CertificateID id, Answer answer, Instant refreshAt, boolean wanted) {
    Cached asked() {
      return wanted ? this : new Cached(generation, id, answer, refreshAt, true);
    }
  }

  private final X509CertificateHolder issuer;
  private final String issuerSha256;
  private final OcspSigner signer;
  private final IssuedCertificateRepository repo;
  private final Clock clock;
  private final CaConfig.Ocsp settings;
  private final TokenBucket onRequest;
  private final DigestCalculatorProvider digests;
  /** Moves on every revocation seen; cached responses of an older generation are not served. */
  private final AtomicLong generation = new AtomicLong();
  private volatile long lastCrlNumber = -1;
  private final Map<String, Cached> cache = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
      return size() > MAX_CACHED;
    }
  };

  private OcspResponder(X509Certificate issuer, OcspSigner signer, IssuedCertificateRepository repo, Clock clock,
      CaConfig.Ocsp settings) {
    try {
      this.issuer = new JcaX509CertificateHolder(issuer);
      this.digests = new JcaDigestCalculatorProviderBuilder().build();
    } catch (CertificateEncodingException | OperatorCreationException e) {
      throw new IllegalArgumentException("cannot use the issuer " + issuer.getSubjectX500Principal() + ": "
          + e.getMessage(), e);
    }
    this.issuerSha256 = Fingerprints.sha256(issuer);
    this.signer = Objects.requireNonNull(signer, "signer");
    this.repo = Objects.requireNonNull(repo, "repo");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.onRequest = new TokenBucket(settings.rateLimit(), settings.rateLimit(), clock);
  }

  /** A responder for the certificates {@code issuer} signed, signing with {@code signer}'s current certificate. */
  public static OcspResponder forIssuer(X509Certificate issuer, OcspSigner signer, IssuedCertificateRepository repo,
      Clock clock, CaConfig.Ocsp settings) {
    return new OcspResponder(issuer, signer, repo, clock, settings);
  }

  /**
   * Stops serving every cached response when a CRL was published since the last call (a
   * revocation, by this process or another, or the CRL's periodic re-signing); {@link
   * #refreshAhead} signs them again. Blocks on one store read.
   *
   * @return whether the cached responses were set aside
   */
  public boolean checkForRevocations() throws StoreException {
    long number = repo.crlState(issuerSha256).map(CrlState::crlNumber).orElse(0L);
    if (number == lastCrlNumber) {
      return false;
    }
    lastCrlNumber = number;
    generation.incrementAndGet();
    return true;
  }

  /**
   * Signs again, before anyone waits for it, each cached response that was asked for since it was
   * signed and that reaches its refresh time within {@code ahead} or was set aside by a
   * revocation; drops those nobody asked for. Signs at most {@code max} in one call, least
   * recently used first. Blocks on store reads and signatures.
   *
   * @return how many were signed
   */
  public int refreshAhead(Duration ahead, int max) throws StoreException {
    Optional<OcspSigner.Signer> signing = signer.current();
    Instant now = clock.instant();
    if (signing.isEmpty() || !now.isBefore(signing.get().certificate().getNotAfter().toInstant())) {
      return 0;
    }
    long gen = generation.get();
    Instant horizon = now.plus(ahead);
    List<Map.Entry<String, Cached>> due = new ArrayList<>();
    synchronized (cache) {
      Iterator<Map.Entry<String, Cached>> it = cache.entrySet().iterator();
      while (it.hasNext() && due.size() < max) {
        Map.Entry<String, Cached> e = it.next();
        Cached c = e.getValue();
        if (c.generation() == gen && horizon.isBefore(c.refreshAt())) {
          continue;
        }
        if (!c.wanted()) {
          it.remove();
          continue;
        }
        due.add(Map.entry(e.getKey(), c));
      }
    }
    for (Map.Entry<String, Cached> e : due) {
      CertificateID id = e.getValue().id();
      Answer a = sign(signing.get(), id, lookup(id), Optional.empty());
      synchronized (cache) {
        if (a.cacheable() && generation.get() == gen) {
          cache.put(e.getKey(), new Cached(gen, id, a, refreshTime(a), false));
        }
      }
    }
    return due.size();
  }

  private static Instant refreshTime(Answer a) {
    return a.thisUpdate().get().plus(Duration.between(a.thisUpdate().get(), a.nextUpdate().get()).dividedBy(2));
  }

  /** The {@code internalError} response, for a caller whose {@link #respond} failed. */
  public static Answer internalError() {
    return INTERNAL_ERROR;
  }

  /**
   * Answers one DER OCSPRequest. Blocks on a store read and a signature when the response is not
   * cached.
   *
   * @throws StoreException when the store cannot be read (answer {@link #internalError()})
   */
  public Answer respond(byte[] request) throws StoreException {
    OCSPReq req;
    try {
      if (request.length == 0 || request.length > MAX_REQUEST_BYTES) {
        return MALFORMED;
      }
      Asn1Limits.check(request, MAX_REQUEST_BYTES);
      req = Asn1Limits.guard(() -> new OCSPReq(request));
    } catch (IOException | RuntimeException e) {
      return MALFORMED;
    }
    Req[] list;
    try {
      list = req.getRequestList();
    } catch (RuntimeException e) {
      return MALFORMED;
    }
    if (list.length != 1) {
      return MALFORMED; // RFC 5019 2.1.1: one certificate per request
    }
    CertificateID id = list[0].getCertID();
    try {
      if (!id.matchesIssuer(issuer, digests)) {
        return UNAUTHORIZED;
      }
    } catch (OCSPException | RuntimeException e) {
      return UNAUTHORIZED; // a hash algorithm we do not know cannot name our issuer
    }
    Optional<OcspSigner.Signer> signing = signer.current();
    if (signing.isEmpty() || !clock.instant().isBefore(signing.get().certificate().getNotAfter().toInstant())) {
      return TRY_LATER;
    }
    Extension nonce = req.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
    // RFC 8954: a nonce is 1 to 32 octets (its value here: an OCTET STRING of them); a longer one is ignored
    if (nonce != null && nonce.getExtnValue().getOctets().length <= 34 && settings.signOnDemand()
        && onRequest.tryTake()) {
      return sign(signing.get(), id, lookup(id), Optional.of(nonce));
    }
    return cachedOrSigned(signing.get(), id);
  }

  private Answer cachedOrSigned(OcspSigner.Signer signing, CertificateID id) throws StoreException {
    String key = id.getHashAlgOID().getId() + ":" + id.getSerialNumber().toString(16);
    long gen = generation.get();
    Instant now = clock.instant();
    synchronized (cache) {
      Cached c = cache.get(key);
      if (c != null && c.generation() == gen && now.isBefore(c.refreshAt())) {
        if (!c.wanted()) {
          cache.put(key, c.asked());
        }
        return c.answer();
      }
    }
    Lookup l = lookup(id);
    if (l.status() == Status.UNKNOWN && !onRequest.tryTake()) {
      return TRY_LATER;
    }
    Answer a = sign(signing, id, l, Optional.empty());
    if (a.cacheable()) {
      synchronized (cache) {
        if (generation.get() == gen) {
          cache.put(key, new Cached(gen, id, a, refreshTime(a), true));
        }
      }
    }
    return a;
  }

  /** What the store says about one serial of this issuer. */
  private record Lookup(Status status, Optional<IssuedCertificateRecord> record) {}

  private Lookup lookup(CertificateID id) throws StoreException {
    String serial = id.getSerialNumber().signum() > 0 ? id.getSerialNumber().toString(16) : "";
    Optional<IssuedCertificateRecord> r = serial.isEmpty() ? Optional.empty() : repo.find(serial);
    if (r.isEmpty() || !r.get().issuerSha256().equals(issuerSha256) || r.get().sha256().equals(issuerSha256)) {
      return new Lookup(Status.UNKNOWN, Optional.empty());
    }
    return new Lookup(r.get().revoked() ? Status.REVOKED : Status.GOOD, r);
  }

  private Answer sign(OcspSigner.Signer signing, CertificateID id, Lookup l, Optional<Extension> nonce) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant nextUpdate = now.plus(settings.validity());
    Instant signerEnds = signing.certificate().getNotAfter().toInstant();
    if (nextUpdate.isAfter(signerEnds)) {
      nextUpdate = signerEnds; // a signer cut short by its issuer's end: no response outlives it
    }
    CertificateStatus status = switch (l.status()) {
      case GOOD -> CertificateStatus.GOOD;
      case REVOKED -> revoked(l.record().get());
      default -> new UnknownStatus();
    };
    try {
      X509Certificate cert = signing.certificate();
      BasicOCSPRespBuilder b = new BasicOCSPRespBuilder(new RespID(
          SubjectPublicKeyInfo.getInstance(cert.getPublicKey().getEncoded()), digests.get(RespID.HASH_SHA1)));
      b.addResponse(id, status, Date.from(now), Date.from(nextUpdate), null);
      nonce.ifPresent(n -> b.setResponseExtensions(new Extensions(n)));
      BasicOCSPResp basic = b.build(signing.contentSigner(), new X509CertificateHolder[] {
          new JcaX509CertificateHolder(cert)}, Date.from(now));
      byte[] der = new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic).getEncoded();
      boolean cacheable = nonce.isEmpty() && l.status() != Status.UNKNOWN;
      return new Answer(l.status(), der, Optional.of(now), Optional.of(nextUpdate), cacheable);
    } catch (OCSPException | OperatorCreationException | CertificateEncodingException | IOException e) {
      throw new IllegalStateException("cannot sign an OCSP response: " + e.getMessage(), e);
    }
  }

  private static CertificateStatus revoked(IssuedCertificateRecord r) {
    Date at = Date.from(r.revokedAt().get().truncatedTo(ChronoUnit.SECONDS));
    RevocationReason reason = r.revocationReason().map(RevocationReason::parse).orElse(RevocationReason.UNSPECIFIED);
    // RFC 5280 5.3.1, as on the CRL: reasonCode unspecified SHOULD be absent
    return new RevokedStatus(new RevokedInfo(new ASN1GeneralizedTime(at),
        reason == RevocationReason.UNSPECIFIED ? null : CRLReason.lookup(reason.crlReason())));
  }

  /** How long a response is valid ({@code ca.ocsp.validity}). */
  public Duration validity() {
    return settings.validity();
  }
}
