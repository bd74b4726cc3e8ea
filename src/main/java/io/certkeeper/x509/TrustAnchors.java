package io.certkeeper.x509;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import javax.security.auth.x500.X500Principal;

/**
 * The certificates a chain may end at. A trust anchor is taken as given: its own signature is not
 * checked, but everything else about it is (validity, key size, that it is a CA, its name
 * constraints and critical extensions), because it still signs the chain and constrains it.
 * Immutable and thread-safe; anchors are parsed once, when the set is built.
 *
 * <p>A trust anchor need not be self-signed: trusting an intermediate or a cross-signed root
 * makes paths end there.
 */
public final class TrustAnchors {
  private static final TrustAnchors EMPTY = new TrustAnchors(List.of());

  private final List<ParsedCertificate> anchors;
  private final Map<X500Principal, List<ParsedCertificate>> bySubject;
  private final Map<ByteBuffer, ParsedCertificate> byEncoding;

  private TrustAnchors(List<ParsedCertificate> anchors) {
    Map<ByteBuffer, ParsedCertificate> encodings = new LinkedHashMap<>();
    for (ParsedCertificate anchor : anchors) {
      encodings.putIfAbsent(ByteBuffer.wrap(anchor.encoded), anchor);
    }
    this.anchors = List.copyOf(encodings.values());
    this.byEncoding = Map.copyOf(encodings);
    Map<X500Principal, List<ParsedCertificate>> index = new HashMap<>();
    for (ParsedCertificate anchor : this.anchors) {
      index.computeIfAbsent(anchor.subject, k -> new ArrayList<>()).add(anchor);
    }
    index.replaceAll((k, v) -> List.copyOf(v));
    this.bySubject = Map.copyOf(index);
  }

  /** Exactly these certificates (duplicates are dropped). */
  public static TrustAnchors of(Collection<X509Certificate> certificates) {
    return of(certificates, false);
  }

  private static TrustAnchors of(Collection<X509Certificate> certificates, boolean vetted) {
    Objects.requireNonNull(certificates, "certificates");
    List<ParsedCertificate> parsed = new ArrayList<>(certificates.size());
    for (X509Certificate certificate : certificates) {
      Objects.requireNonNull(certificate, "certificate");
      parsed.add(vetted ? ParsedCertificate.ofVettedAnchor(certificate)
          : ParsedCertificate.of(certificate));
    }
    return new TrustAnchors(parsed);
  }

  /** No anchors: nothing validates. */
  public static TrustAnchors none() {
    return EMPTY;
  }

  /**
   * The JDK's default trust store ({@code cacerts}, or the {@code javax.net.ssl.trustStore}
   * the JVM was started with), loaded on first use and cached for the life of the process.
   * These roots were vetted by their root programs, so only their substance is checked
   * (validity, key, CA, name constraints), not their encoding profile: several roots still in
   * use predate today's rules (non-critical basicConstraints, no subjectKeyIdentifier).
   */
  public static TrustAnchors system() {
    return SystemHolder.INSTANCE;
  }

  /** The anchors of this set and of {@code other}. */
  public TrustAnchors plus(TrustAnchors other) {
    Objects.requireNonNull(other, "other");
    if (other.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return other;
    }
    List<ParsedCertificate> all = new ArrayList<>(anchors);
    all.addAll(other.anchors);
    return new TrustAnchors(all);
  }

  public boolean isEmpty() {
    return anchors.isEmpty();
  }

  /** How many distinct anchors there are. */
  public int size() {
    return anchors.size();
  }

  /** The anchors, in the order given. */
  public List<X509Certificate> certificates() {
    return anchors.stream().map(a -> a.x509).toList();
  }

  List<ParsedCertificate> withSubject(X500Principal subject) {
    return bySubject.getOrDefault(subject, List.of());
  }

  /** The anchor with exactly these DER bytes, or null. */
  ParsedCertificate withEncoding(byte[] encoded) {
    return byEncoding.get(ByteBuffer.wrap(encoded));
  }

  @Override
  public String toString() {
    return "TrustAnchors[" + anchors.size() + "]";
  }

  private static final class SystemHolder {
    static final TrustAnchors INSTANCE = load();

    private static TrustAnchors load() {
      try {
        TrustManagerFactory factory =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        for (TrustManager manager : factory.getTrustManagers()) {
          if (manager instanceof X509TrustManager x509) {
            return of(List.of(x509.getAcceptedIssuers()), true);
          }
        }
        throw new IllegalStateException("the JDK has no X.509 trust manager");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot load the JDK trust store", e);
      }
    }
  }
}
