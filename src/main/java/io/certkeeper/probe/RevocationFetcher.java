package io.certkeeper.probe;

import io.certkeeper.x509.Asn1Limits;
import io.certkeeper.x509.Crls;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * Fetches CRLs (from each certificate's CRL distribution points) and an OCSP answer for the leaf
 * (from its authority information access), over plain HTTP as those URLs are. Every fetch is
 * bounded in time and size; CRLs are shared across the probes of one fetcher, since many
 * endpoints share an issuer.
 */
public final class RevocationFetcher {
  /** A larger CRL or OCSP response is refused. */
  public static final int MAX_BYTES = 10 * 1024 * 1024;
  /** CRL URLs fetched for one chain at most (a certificate may name any number). */
  static final int MAX_CRLS_PER_CHAIN = 8;
  /** A CRL is fetched again after this at the latest, or at its nextUpdate when that is sooner. */
  static final Duration CRL_FRESHNESS = Duration.ofHours(1);
  /** A failed CRL fetch is not tried again before this. */
  static final Duration FAILURE_FRESHNESS = Duration.ofMinutes(5);
  /** CRLs kept at most; beyond, the cache starts afresh. */
  static final int MAX_CACHED = 1_000;

  private final HttpClient http;
  private final Duration timeout;
  private final Clock clock;
  private final Map<URI, Cached> crlCache = new ConcurrentHashMap<>();

  /** A fetched CRL (or why there is none) and until when it stands. */
  private record Cached(Object value, Instant until) {}

  private RevocationFetcher(Duration timeout, Clock clock) {
    this.timeout = timeout;
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /**
   * A fetcher whose every request (headers and body) ends within twice {@code timeout}; a CRL is
   * used until its nextUpdate or for {@link #CRL_FRESHNESS}, whichever is sooner, by {@code clock}.
   */
  public static RevocationFetcher create(Duration timeout, Clock clock) {
    return new RevocationFetcher(timeout, clock);
  }

  /** Fetches what {@code chain}'s URLs offer; blocks up to a few timeouts. */
  public FetchedRevocation fetch(List<X509Certificate> chain) {
    List<X509CRL> crls = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    int fetched = 0;
    for (X509Certificate cert : chain) {
      for (URI uri : crlUris(cert)) {
        if (fetched++ >= MAX_CRLS_PER_CHAIN) {
          errors.add("CRL " + uri + ": more than " + MAX_CRLS_PER_CHAIN + " CRL URLs in the chain; not fetched");
          continue;
        }
        Object cached = crl(uri);
        if (cached instanceof X509CRL crl) {
          crls.add(crl);
        } else {
          errors.add("CRL " + uri + ": " + cached);
        }
      }
    }
    Optional<byte[]> ocsp = Optional.empty();
    if (!chain.isEmpty()) {
      X509Certificate leaf = chain.get(0);
      Optional<X509Certificate> issuer = chain.stream().skip(1)
          .filter(c -> c.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())).findFirst();
      List<URI> responders = ocspUris(leaf);
      if (!responders.isEmpty() && issuer.isPresent()) {
        try {
          ocsp = Optional.of(fetchOcsp(responders.get(0), leaf, issuer.get()));
        } catch (IOException | RuntimeException e) {
          errors.add("OCSP " + responders.get(0) + ": " + io.certkeeper.util.ErrorText.reason(e));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          errors.add("OCSP " + responders.get(0) + ": interrupted");
        }
      }
    }
    return new FetchedRevocation(crls, ocsp, errors);
  }

  /** The CRL at {@code uri} (or why there is none), from the cache while it stands. */
  private Object crl(URI uri) {
    Instant now = clock.instant();
    Cached c = crlCache.get(uri);
    if (c != null && now.isBefore(c.until())) {
      return c.value();
    }
    Object value = fetchCrl(uri);
    Instant until = now.plus(FAILURE_FRESHNESS);
    if (value instanceof X509CRL crl) {
      until = now.plus(CRL_FRESHNESS);
      if (crl.getNextUpdate() != null && crl.getNextUpdate().toInstant().isBefore(until)) {
        until = crl.getNextUpdate().toInstant();
      }
    }
    if (crlCache.size() >= MAX_CACHED) {
      crlCache.clear();
    }
    crlCache.put(uri, new Cached(value, until));
    return value;
  }

  private Object fetchCrl(URI uri) {
    try {
      byte[] body = get(HttpRequest.newBuilder(uri).timeout(timeout).GET().build());
      List<X509CRL> crls = Crls.parse(body);
      if (crls.size() != 1) {
        return "holds " + crls.size() + " CRLs, expected 1";
      }
      return crls.get(0);
    } catch (IOException | RuntimeException e) {
      return io.certkeeper.util.ErrorText.reason(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private byte[] fetchOcsp(URI uri, X509Certificate leaf, X509Certificate issuer)
      throws IOException, InterruptedException {
    byte[] request;
    try {
      CertificateID id = new CertificateID(
          new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
          new JcaX509CertificateHolder(issuer), leaf.getSerialNumber());
      request = new OCSPReqBuilder().addRequest(id).build().getEncoded();
    } catch (Exception e) {
      throw new IOException("cannot build the request: " + e.getMessage(), e);
    }
    return get(HttpRequest.newBuilder(uri).timeout(timeout)
        .header("Content-Type", "application/ocsp-request")
        .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build());
  }

  /**
   * The body of a 200 answer to {@code request}, at most {@link #MAX_BYTES}: the whole exchange,
   * body included, ends within twice the timeout (a server that trickles its answer is cut off).
   */
  private byte[] get(HttpRequest request) throws IOException, InterruptedException {
    java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> f =
        http.sendAsync(request, info -> new BoundedBody(MAX_BYTES));
    HttpResponse<byte[]> r;
    try {
      r = f.get(timeout.multipliedBy(2).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      f.cancel(true);
      throw new IOException("no complete answer within " + timeout.multipliedBy(2).toSeconds() + " s");
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw cause instanceof IOException io ? io : new IOException(io.certkeeper.util.ErrorText.reason(cause), cause);
    }
    if (r.statusCode() != 200) {
      throw new IOException("HTTP " + r.statusCode());
    }
    return r.body();
  }

  /** Collects a body of at most {@code max} bytes; a larger one fails the exchange. */
  private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final int max;
    private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    private final java.util.concurrent.CompletableFuture<byte[]> result = new java.util.concurrent.CompletableFuture<>();
    private java.util.concurrent.Flow.Subscription subscription;

    BoundedBody(int max) {
      this.max = max;
    }

    @Override
    public java.util.concurrent.CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<java.nio.ByteBuffer> items) {
      if (result.isDone()) {
        return; // cancelled: the rest is dropped
      }
      for (java.nio.ByteBuffer b : items) {
        if (out.size() + b.remaining() > max) {
          subscription.cancel();
          result.completeExceptionally(new IOException("larger than " + max + " bytes"));
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        out.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(out.toByteArray());
    }
  }

  /** The http:// URIs of a certificate's CRL distribution points. */
  static List<URI> crlUris(X509Certificate cert) {
    Set<URI> out = new LinkedHashSet<>();
    byte[] ext = cert.getExtensionValue(Extension.cRLDistributionPoints.getId());
    if (ext == null) {
      return List.of();
    }
    try {
      CRLDistPoint points = CRLDistPoint.getInstance(Asn1Limits.guard(
          () -> ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(ext).getOctets())));
      for (DistributionPoint dp : points.getDistributionPoints()) {
        DistributionPointName name = dp.getDistributionPoint();
        if (name != null && name.getType() == DistributionPointName.FULL_NAME) {
          for (GeneralName g : GeneralNames.getInstance(name.getName()).getNames()) {
            httpUri(g).ifPresent(out::add);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
    return List.copyOf(out);
  }

  /** The http:// URIs of a certificate's OCSP responders. */
  static List<URI> ocspUris(X509Certificate cert) {
    byte[] ext = cert.getExtensionValue(Extension.authorityInfoAccess.getId());
    if (ext == null) {
      return List.of();
    }
    List<URI> out = new ArrayList<>();
    try {
      AuthorityInformationAccess aia = AuthorityInformationAccess.getInstance(Asn1Limits.guard(
          () -> ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(ext).getOctets())));
      for (AccessDescription d : aia.getAccessDescriptions()) {
        if (d.getAccessMethod().equals(AccessDescription.id_ad_ocsp)) {
          httpUri(d.getAccessLocation()).ifPresent(out::add);
        }
      }
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
    return out;
  }

  private static Optional<URI> httpUri(GeneralName g) {
    if (g.getTagNo() != GeneralName.uniformResourceIdentifier) {
      return Optional.empty();
    }
    String s = g.getName().toString();
    if (!s.toLowerCase(Locale.ROOT).startsWith("http://")) {
      return Optional.empty();
    }
    try {
      return Optional.of(URI.create(s));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
