package io.certkeeper.ca;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * The public half of a CA directory, readable without the passphrase: for {@code ca show} and
 * {@code ca export-root}.
 */
public record CaCertificates(CaManifest manifest, X509Certificate root, Optional<X509Certificate> intermediate) {
  /** The certificate that signs leaves and CRLs. */
  public X509Certificate issuer() {
    return intermediate.orElse(root);
  }

  /** The chain a leaf is served with, without the root. */
  public List<X509Certificate> chain() {
    return intermediate.map(List::of).orElse(List.of());
  }
}
