package io.certkeeper.ca;

import io.certkeeper.config.CaConfig;
import java.util.Objects;
import java.util.Optional;

/**
 * Where relying parties look for what a leaf does not carry: the CRL distribution point, the OCSP
 * responder and the issuer's certificate (authority information access, RFC 5280 4.2.2.1). Each
 * is written into every leaf the CA issues while it is set.
 *
 * @param crl the CRL distribution point ({@code ca.crl-url})
 * @param ocsp the OCSP responder ({@code ca.ocsp-url})
 * @param caIssuers the issuer's certificate, DER ({@code ca.issuer-url})
 */
public record LeafUrls(Optional<String> crl, Optional<String> ocsp, Optional<String> caIssuers) {
  /** No URLs at all. */
  public static final LeafUrls NONE = new LeafUrls(Optional.empty(), Optional.empty(), Optional.empty());

  public LeafUrls {
    Objects.requireNonNull(crl, "crl");
    Objects.requireNonNull(ocsp, "ocsp");
    Objects.requireNonNull(caIssuers, "caIssuers");
  }

  /** The URLs of {@code ca:}. */
  public static LeafUrls of(CaConfig ca) {
    return new LeafUrls(ca.crlUrl(), ca.ocspUrl(), ca.issuerUrl());
  }

  /** A CRL distribution point only. */
  public static LeafUrls crlOnly(Optional<String> crl) {
    return new LeafUrls(crl, Optional.empty(), Optional.empty());
  }
}
