package io.certkeeper.daemon;

import io.certkeeper.ca.CaCertificates;
import io.certkeeper.ca.CaException;
import io.certkeeper.ca.CrlPublisher;
import io.certkeeper.ca.CrlRefresh;
import io.certkeeper.ca.LocalCa;
import io.certkeeper.ca.OcspResponder;
import io.certkeeper.ca.OcspSigner;
import io.certkeeper.config.CaConfig;
import io.certkeeper.config.ListenerConfig;
import io.certkeeper.config.ListenerRole;
import io.certkeeper.serve.AcmeHttpHandler;
import io.certkeeper.serve.OcspHttpHandler;
import io.certkeeper.serve.PkiHttpHandler;
import io.certkeeper.serve.Roles;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.StoreException;
import io.certkeeper.util.BoundedRead;
import io.certkeeper.x509.Asn1Limits;
import io.certkeeper.x509.Crls;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local CA's services for relying parties, behind the plain-HTTP listeners: the OCSP responder
 * ({@code role: ocsp}) and the CRL and CA certificate ({@code role: pki}). Built only when such a
 * listener is configured; it needs the CA directory (and, to issue the OCSP signer, the
 * passphrase).
 *
 * <p>A thread of its own checks every {@link #WATCH} for a new CRL number (a revocation, by this
 * daemon or a command), which sets the responder's cached responses aside, signs again the
 * responses that are asked for before they are due, and renews the OCSP signer when a third of
 * its life is left.
 */
final class PkiServices implements AutoCloseable {
  /** How often the store is asked whether a certificate was revoked. */
  static final Duration WATCH = Duration.ofSeconds(2);
  /** Responses due within this are signed again by the watch, before a request has to wait. */
  static final Duration REFRESH_AHEAD = Duration.ofMinutes(1);
  /** The most responses the watch signs in one run. */
  static final int REFRESH_BATCH = 256;
  /** After a failed signer renewal, the next try waits this long. */
  static final Duration RENEWAL_RETRY = Duration.ofMinutes(10);
  /** How long caches may keep the CRL: revocations must reach relying parties soon. */
  static final Duration CRL_MAX_AGE = Duration.ofMinutes(5);
  /** How long caches may keep the CA certificate. */
  static final Duration CA_CERT_MAX_AGE = Duration.ofDays(1);
  static final String CRL_TYPE = "application/pkix-crl";
  static final String CERT_TYPE = "application/pkix-cert";

  private static final Logger log = LoggerFactory.getLogger(PkiServices.class);

  private final Path caDir;
  private final Clock clock;
  private final Optional<OcspSigner> signer;
  private final Optional<OcspResponder> responder;
  private final Optional<ScheduledExecutorService> watch;
  private final Optional<String> crlPath;
  private final Optional<String> issuerPath;
  /** The issuing CA's certificate, DER: what caIssuers names. */
  private final PkiHttpHandler.Document issuerCertificate;
  private volatile CrlFile crl;
  private volatile Instant nextRenewalTry;
  private volatile String lastWatchFailure;

  /** The CRL file as last read, and when it was on disk. */
  private record CrlFile(Object fileKey, Instant modified, long size, PkiHttpHandler.Document document) {}

  private PkiServices(Path caDir, Clock clock, Optional<OcspSigner> signer, Optional<OcspResponder> responder,
      Optional<String> crlPath, Optional<String> issuerPath, PkiHttpHandler.Document issuerCertificate) {
    this.caDir = caDir;
    this.clock = clock;
    this.signer = signer;
    this.responder = responder;
    this.crlPath = crlPath;
    this.issuerPath = issuerPath;
    this.issuerCertificate = issuerCertificate;
    this.nextRenewalTry = clock.instant().plus(RENEWAL_RETRY); // start has just tried
    this.watch = responder.map(r -> Executors.newSingleThreadScheduledExecutor(t -> {
      Thread th = new Thread(t, "certkeeper-ocsp-watch");
      th.setDaemon(true);
      return th;
    }));
  }

  /**
   * Prepares what {@code listeners} serve: with an ocsp listener, an OCSP signer that is fresh
   * (issuing one when needed) and the responder; with a pki listener, the paths of
   * {@code ca.crl-url} and {@code ca.issuer-url}.
   *
   * @throws CaException when there is no CA, no signer can be had, or a pki listener has nothing to serve
   */
  static PkiServices start(CaConfig ca, Path dataDir, IssuedCertificateRepository repo, Clock clock,
      List<ListenerConfig> listeners) throws CaException, StoreException {
    Path caDir = dataDir.resolve("ca");
    boolean ocsp = listeners.stream().anyMatch(l -> l.role() == ListenerRole.OCSP);
    boolean pki = listeners.stream().anyMatch(l -> l.role() == ListenerRole.PKI);
    if (!ocsp && !pki) {
      return new PkiServices(caDir, clock, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
          null);
    }
    String who = ocsp ? "an ocsp listener" : "a pki listener";
    if (!LocalCa.exists(caDir)) {
      throw new CaException(who + " serves the local CA, but there is no CA in " + caDir
          + " (run 'certkeeper ca init')");
    }
    CaCertificates certs = LocalCa.readCertificates(caDir);
    Optional<OcspSigner> signer = Optional.empty();
    Optional<OcspResponder> responder = Optional.empty();
    if (ocsp) {
      OcspSigner s = new OcspSigner(caDir, repo, ca.passphrase().map(p -> (CrlRefresh.Passphrase) p::resolve), clock,
          ca.ocsp().signerValidity());
      try {
        if (s.refreshIfDue() == OcspSigner.Outcome.ISSUED) {
          log.info("local CA - issued an OCSP signing certificate, serial {}, valid until {}",
              s.current().get().certificate().getSerialNumber().toString(16),
              s.current().get().certificate().getNotAfter().toInstant());
        }
      } catch (CaException e) {
        if (s.current().isEmpty()) {
          throw e; // nothing to sign with: the responder cannot start
        }
        log.warn("local CA - {}; signing OCSP responses with the current one until {} (retried every {})",
            e.getMessage(), s.current().get().certificate().getNotAfter().toInstant(), RENEWAL_RETRY);
      }
      OcspResponder r = OcspResponder.forIssuer(certs.issuer(), s, repo, clock, ca.ocsp());
      r.checkForRevocations();
      signer = Optional.of(s);
      responder = Optional.of(r);
    }
    Optional<String> crlPath = ca.crlUrl().filter(u -> u.regionMatches(true, 0, "http:", 0, 5)).map(PkiServices::pathOf);
    Optional<String> issuerPath = ca.issuerUrl().map(PkiServices::pathOf);
    if (pki && crlPath.isEmpty() && issuerPath.isEmpty()) {
      throw new CaException("a pki listener serves the files of ca.crl-url and ca.issuer-url (http: URLs);"
          + " set at least one");
    }
    byte[] issuerDer;
    try {
      issuerDer = certs.issuer().getEncoded();
    } catch (CertificateEncodingException e) {
      throw new CaException("cannot encode the CA certificate: " + e.getMessage(), e);
    }
    PkiHttpHandler.Document issuerCertificate = new PkiHttpHandler.Document(issuerDer, CERT_TYPE,
        certs.issuer().getNotBefore().toInstant(), Optional.empty(), CA_CERT_MAX_AGE);
    PkiServices p = new PkiServices(caDir, clock, signer, responder, crlPath, issuerPath, issuerCertificate);
    p.watch.ifPresent(w -> w.scheduleWithFixedDelay(p::watchOnce, WATCH.toMillis(), WATCH.toMillis(),
        TimeUnit.MILLISECONDS));
    return p;
  }

  /** The path part of {@code url}, {@code /} when it has none. */
  static String pathOf(String url) {
    String path = URI.create(url).getRawPath();
    return path == null || path.isEmpty() ? "/" : path;
  }

  /** The handler of one plain-HTTP listener of role ocsp or pki; {@code acme} makes the acme-http ones. */
  Roles.HttpHandler handler(ListenerConfig l, java.util.function.Function<ListenerConfig, AcmeHttpHandler> acme) {
    return switch (l.role()) {
      case OCSP -> new OcspHttpHandler(l.name(), this::respond, clock);
      case PKI -> new PkiHttpHandler(l.name(), this::document, clock);
      case ACME_HTTP -> acme.apply(l);
      default -> throw new IllegalArgumentException(l.role() + " is not a plain-HTTP role");
    };
  }

  private OcspHttpHandler.Response respond(byte[] request) {
    OcspResponder.Answer a;
    try {
      a = responder.orElseThrow().respond(request);
    } catch (StoreException | RuntimeException e) {
      log.warn("ocsp - cannot answer a request (answering internalError): {}", io.certkeeper.util.ErrorText.of(e));
      a = OcspResponder.internalError();
    }
    return a.cacheable() ? new OcspHttpHandler.Response(a.der(), a.thisUpdate(), a.nextUpdate())
        : OcspHttpHandler.Response.uncacheable(a.der());
  }

  private Optional<PkiHttpHandler.Document> document(String path) throws IOException {
    if (issuerPath.filter(path::equals).isPresent()) {
      return Optional.of(issuerCertificate);
    }
    if (crlPath.filter(path::equals).isPresent()) {
      return currentCrl();
    }
    return Optional.empty();
  }

  /** The CRL in the CA directory (kept current by the daemon's refresh and copy), read again when it changed. */
  private Optional<PkiHttpHandler.Document> currentCrl() throws IOException {
    Path file = CrlPublisher.derFile(caDir);
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    CrlFile seen = crl;
    Instant modified = attrs.lastModifiedTime().toInstant();
    if (seen != null && Objects.equals(seen.fileKey(), attrs.fileKey()) && seen.modified().equals(modified)
        && seen.size() == attrs.size()) {
      return Optional.of(seen.document());
    }
    byte[] der = BoundedRead.bytes(file, Asn1Limits.MAX_CRL_BYTES);
    X509CRL parsed;
    try {
      parsed = Crls.parse(der).get(0);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
    Optional<Instant> next = Optional.ofNullable(parsed.getNextUpdate()).map(java.util.Date::toInstant);
    PkiHttpHandler.Document d = new PkiHttpHandler.Document(der, CRL_TYPE, parsed.getThisUpdate().toInstant(), next,
        CRL_MAX_AGE);
    crl = new CrlFile(attrs.fileKey(), modified, attrs.size(), d);
    return Optional.of(d);
  }

  /** One watch run: revocations, then the signer's renewal; never throws, so the timer goes on. */
  private void watchOnce() {
    try {
      if (responder.get().checkForRevocations()) {
        log.debug("ocsp - a new CRL number: cached responses set aside, signed again");
      }
      responder.get().refreshAhead(REFRESH_AHEAD, REFRESH_BATCH);
      Instant now = clock.instant();
      if (!now.isBefore(nextRenewalTry)) {
        try {
          if (signer.get().refreshIfDue() == OcspSigner.Outcome.ISSUED) {
            log.info("local CA - renewed the OCSP signing certificate, serial {}, valid until {}",
                signer.get().current().get().certificate().getSerialNumber().toString(16),
                signer.get().current().get().certificate().getNotAfter().toInstant());
          }
        } catch (CaException e) {
          nextRenewalTry = now.plus(RENEWAL_RETRY);
          throw e;
        }
      }
      lastWatchFailure = null;
    } catch (Exception | LinkageError e) {
      String why = io.certkeeper.util.ErrorText.of(e);
      if (!why.equals(lastWatchFailure)) {
        log.warn("ocsp - {}", why);
      }
      lastWatchFailure = why;
    }
  }

  /**
   * Stops the watch and waits up to 5 s for a run under way (store reads, a signer being issued);
   * never interrupts it: an interrupt inside the store's driver closes its file.
   */
  @Override
  public void close() {
    watch.ifPresent(w -> {
      w.shutdown();
      try {
        w.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }
}
