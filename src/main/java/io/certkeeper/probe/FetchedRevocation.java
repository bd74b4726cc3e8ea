package io.certkeeper.probe;

import java.security.cert.X509CRL;
import java.util.List;
import java.util.Optional;

/**
 * Revocation information fetched from a chain's own URLs: the CRLs of its distribution points and
 * the OCSP responder's answer for the leaf. {@code errors} says what could not be fetched and why
 * (a fetch failure is not a revocation).
 */
public record FetchedRevocation(List<X509CRL> crls, Optional<byte[]> ocspResponse, List<String> errors) {
  public FetchedRevocation {
    crls = List.copyOf(crls);
    errors = List.copyOf(errors);
  }

  /** Nothing fetched. */
  public static FetchedRevocation none() {
    return new FetchedRevocation(List.of(), Optional.empty(), List.of());
  }
}
