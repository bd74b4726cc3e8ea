package io.certkeeper.ca;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A certificate the CA just issued and recorded.
 *
 * @param chain the issuer chain without the root (the intermediate, or empty when the root signs)
 * @param privateKey the new key when the CA generated it; the CA keeps no copy
 */
public record IssuedCertificate(X509Certificate certificate, List<X509Certificate> chain,
    Optional<PrivateKey> privateKey, Profile profile) {

  public IssuedCertificate {
    chain = List.copyOf(chain);
  }

  /** The certificate followed by its chain: what a TLS server sends. */
  public List<X509Certificate> fullChain() {
    List<X509Certificate> all = new ArrayList<>();
    all.add(certificate);
    all.addAll(chain);
    return all;
  }

  public String serialHex() {
    return SerialNumbers.hex(certificate.getSerialNumber());
  }
}
