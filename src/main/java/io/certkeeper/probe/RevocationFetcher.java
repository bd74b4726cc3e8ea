package io.certkeeper.probe;

import io.certkeeper.x509.Asn1Limits;
import io.certkeeper.x509.Crls;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
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

  private final HttpClient http;
  private final Duration timeout;
  private final Map<URI, Object> crlCache = new ConcurrentHashMap<>();

  private RevocationFetcher(Duration timeout) {
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** A fetcher whose every request ends within {@code timeout}. */
  public static RevocationFetcher create(Duration timeout) {
    return new RevocationFetcher(timeout);
  }

  /** Fetches what {@code chain}'s URLs offer; blocks up to a few timeouts. */
  public FetchedRevocation fetch(List<X509Certificate> chain) {
    List<X509CRL> crls = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (X509Certificate cert : chain) {
      for (URI uri : crlUris(cert)) {
        Object cached = crlCache.computeIfAbsent(uri, this::fetchCrl);
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

  private byte[] get(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = r.body()) {
      if (r.statusCode() != 200) {
        throw new IOException("HTTP " + r.statusCode());
      }
      byte[] body = in.readNBytes(MAX_BYTES + 1);
      if (body.length > MAX_BYTES) {
        throw new IOException("larger than " + MAX_BYTES + " bytes");
      }
      return body;
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
