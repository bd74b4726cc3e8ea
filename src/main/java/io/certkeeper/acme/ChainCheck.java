package io.certkeeper.acme;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What an ACME server sends is checked before it becomes a generation: a server with a bug, or a
 * hostile one, must not get a certificate put in force that does not fit the key, the names, the
 * time, or its own chain.
 */
final class ChainCheck {
  /** Longer chains are refused (real ones have two or three certificates). */
  static final int MAX_CHAIN = 10;
  /** How far in the future a notBefore may lie (clocks differ). */
  static final Duration SKEW = Duration.ofMinutes(5);
  private static final int SAN_DNS = 2;

  private ChainCheck() {}

  /**
   * @param chain the certificate first, then its issuers, as the server sent them
   * @throws AcmeFailure naming the first thing that does not fit
   */
  static void check(List<X509Certificate> chain, PublicKey key, List<String> names, Instant now) throws AcmeFailure {
    if (chain.isEmpty()) {
      throw new AcmeFailure("the server sent no certificate");
    }
    if (chain.size() > MAX_CHAIN) {
      throw new AcmeFailure("the server sent a chain of " + chain.size() + " certificates (at most " + MAX_CHAIN + ")");
    }
    X509Certificate leaf = chain.get(0);
    String serial = "the certificate " + leaf.getSerialNumber().toString(16);
    if (!Arrays.equals(leaf.getPublicKey().getEncoded(), key.getEncoded())) {
      throw new AcmeFailure(serial + " the server sent is not for the key of the request");
    }
    Set<String> dns = new HashSet<>();
    try {
      if (leaf.getSubjectAlternativeNames() != null) {
        for (List<?> san : leaf.getSubjectAlternativeNames()) {
          if (san.size() >= 2 && Integer.valueOf(SAN_DNS).equals(san.get(0))) {
            dns.add(String.valueOf(san.get(1)).toLowerCase(Locale.ROOT));
          }
        }
      }
    } catch (CertificateParsingException e) {
      throw new AcmeFailure(serial + ": its names do not parse: " + e.getMessage());
    }
    for (String n : names) {
      if (!dns.contains(n.toLowerCase(Locale.ROOT))) {
        throw new AcmeFailure(serial + " does not name " + n + " (it names " + dns + ")");
      }
    }
    if (leaf.getNotBefore().toInstant().isAfter(now.plus(SKEW)) || !now.isBefore(leaf.getNotAfter().toInstant())) {
      throw new AcmeFailure(serial + " is not valid now (" + leaf.getNotBefore().toInstant() + " .. "
          + leaf.getNotAfter().toInstant() + ")");
    }
    for (int i = 0; i + 1 < chain.size(); i++) {
      X509Certificate c = chain.get(i);
      X509Certificate issuer = chain.get(i + 1);
      try {
        if (!c.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
          throw new AcmeFailure("certificate " + (i + 1) + " of the chain is not issued by the next one");
        }
        c.verify(issuer.getPublicKey());
      } catch (GeneralSecurityException e) {
        throw new AcmeFailure("certificate " + (i + 1) + " of the chain is not signed by the next one: "
            + e.getMessage());
      }
    }
  }
}
