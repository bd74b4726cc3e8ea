package io.certkeeper.probe;

import io.certkeeper.x509.Asn1Limits;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * Reads an OCSP response for the leaf (stapled, or fetched): what it says about the leaf's serial
 * number. When the issuer is in the chain the response is verified as RFC 6960 4.2.2.2 asks:
 * signed by the issuer itself, or by a delegated responder the response carries, which the
 * issuer issued with id-kp-OCSPSigning and which is valid now, whatever the two keys' types; and
 * current (thisUpdate not ahead of now, nextUpdate not behind it, with {@link #SKEW} of slack).
 * A response that fails any of that is {@code INVALID}, with the reason. A response that is not
 * successful, does not cover the leaf, or cannot be verified because the chain holds no
 * certificate whose key signed the leaf reads as {@code UNKNOWN}. A response without nextUpdate
 * older than {@link #MAX_AGE} is {@code INVALID}. Bytes that are not an OCSP
 * response at all (refused by {@link Asn1Limits}, or by the parser) are {@code UNKNOWN} and
 * {@code malformed}, which the judge reports as a problem of the probe. The CertID may hash with
 * SHA-1 or SHA-256.
 */
final class OcspStaple {
  /** Clock difference tolerated on thisUpdate and nextUpdate. */
  static final java.time.Duration SKEW = java.time.Duration.ofMinutes(5);
  /** Oldest a response without nextUpdate may be (the CA/Browser Forum's bound on OCSP validity is 10 days). */
  static final java.time.Duration MAX_AGE = java.time.Duration.ofDays(7);

  private OcspStaple() {}

  /**
   * What a response says, and why it could not be decoded or trusted if it could not.
   *
   * @param malformed the reason the bytes are not an OCSP response at all
   * @param invalid the reason an OCSP response for the leaf failed verification
   */
  record Reading(OcspStatus status, Optional<String> malformed, Optional<String> invalid) {
    static Reading of(OcspStatus status) {
      return new Reading(status, Optional.empty(), Optional.empty());
    }

    static Reading invalid(String why) {
      return new Reading(OcspStatus.INVALID, Optional.empty(), Optional.of(why));
    }
  }

  static OcspStatus statusOf(Optional<byte[]> staple, java.util.List<X509Certificate> chain, Instant now) {
    return read(staple, chain, now).status();
  }

  static Reading read(Optional<byte[]> staple, java.util.List<X509Certificate> chain, Instant now) {
    if (staple.isEmpty()) {
      return Reading.of(OcspStatus.NONE);
    }
    OCSPResp response;
    try {
      byte[] bytes = staple.get();
      Asn1Limits.check(bytes, Asn1Limits.MAX_OCSP_BYTES);
      response = Asn1Limits.guard(() -> new OCSPResp(bytes));
    } catch (IOException | RuntimeException e) {
      return new Reading(OcspStatus.UNKNOWN, Optional.of(io.certkeeper.util.ErrorText.reason(e)), Optional.empty());
    }
    if (chain.isEmpty()) {
      return Reading.of(OcspStatus.UNKNOWN);
    }
    try {
      return Asn1Limits.guard(() -> readResponse(response, chain, now));
    } catch (IllegalArgumentException e) {
      // only a stack overflow gets here: readResponse reads every other failure itself
      return new Reading(OcspStatus.UNKNOWN, Optional.of(io.certkeeper.util.ErrorText.reason(e)), Optional.empty());
    }
  }

  private static Reading readResponse(OCSPResp response, java.util.List<X509Certificate> chain, Instant now) {
    X509Certificate leaf = chain.get(0);
    X509Certificate issuer = findIssuer(leaf, chain);
    try {
      if (response.getStatus() != OCSPResp.SUCCESSFUL
          || !(response.getResponseObject() instanceof BasicOCSPResp basic)) {
        return Reading.of(OcspStatus.UNKNOWN);
      }
      DigestCalculatorProvider digests = new JcaDigestCalculatorProviderBuilder().build();
      X509CertificateHolder issuerHolder =
          issuer == null ? null : new X509CertificateHolder(issuer.getEncoded());
      SingleResp single = null;
      for (SingleResp candidate : basic.getResponses()) {
        CertificateID id = candidate.getCertID();
        if (id.getSerialNumber().equals(leaf.getSerialNumber())
            && (issuerHolder == null || id.matchesIssuer(issuerHolder, digests))) {
          single = candidate;
          break;
        }
      }
      if (single == null || issuer == null) {
        return Reading.of(OcspStatus.UNKNOWN); // not about this leaf, or nothing to verify it with
      }
      String signer = signerProblem(basic, issuer, now);
      if (signer != null) {
        return Reading.invalid(signer);
      }
      Instant thisUpdate = single.getThisUpdate().toInstant();
      if (thisUpdate.isAfter(now.plus(SKEW))) {
        return Reading.invalid("its thisUpdate " + thisUpdate + " is in the future");
      }
      if (single.getNextUpdate() != null && single.getNextUpdate().toInstant().isBefore(now.minus(SKEW))) {
        return Reading.invalid("it is out of date (nextUpdate " + single.getNextUpdate().toInstant() + ")");
      }
      if (single.getNextUpdate() == null && thisUpdate.plus(MAX_AGE).isBefore(now)) {
        return Reading.invalid("it has no nextUpdate and its thisUpdate " + thisUpdate + " is older than "
            + MAX_AGE.toDays() + " days");
      }
      Object status = single.getCertStatus();
      if (status == null) {
        return Reading.of(OcspStatus.GOOD);
      }
      return Reading.of(status instanceof RevokedStatus ? OcspStatus.REVOKED : OcspStatus.UNKNOWN);
    } catch (IOException | OCSPException | OperatorCreationException
        | java.security.cert.CertificateEncodingException | RuntimeException e) {
      return Reading.of(OcspStatus.UNKNOWN);
    }
  }

  /** Why the response's signer is not the issuer or a responder it delegated to, or null when it is. */
  private static String signerProblem(BasicOCSPResp basic, X509Certificate issuer, Instant now) {
    if (verifies(basic, issuer.getPublicKey())) {
      return null;
    }
    String why = "it is signed neither by the issuer nor by a responder the response carries";
    for (X509CertificateHolder responder : basic.getCerts()) {
      if (!issuedBy(responder, issuer)) {
        why = "its responder '" + responder.getSubject() + "' was not issued by the leaf's issuer";
        continue;
      }
      try {
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        X509Certificate r = converter.getCertificate(responder);
        if (!verifies(basic, r.getPublicKey())) {
          continue;
        }
        java.util.List<String> eku = r.getExtendedKeyUsage();
        if (eku == null || !eku.contains(OCSP_SIGNING)) {
          return "its responder '" + responder.getSubject() + "' lacks id-kp-OCSPSigning";
        }
        if (now.isBefore(r.getNotBefore().toInstant()) || now.isAfter(r.getNotAfter().toInstant())) {
          return "its responder '" + responder.getSubject() + "' is not valid now";
        }
        return null;
      } catch (java.security.cert.CertificateException e) {
        why = "its responder certificate cannot be read";
      }
    }
    return why;
  }

  private static final String OCSP_SIGNING = "1.3.6.1.5.5.7.3.9";

  /** Whether {@code key} verifies the response; false (not an exception) when the key's type does not fit. */
  private static boolean verifies(BasicOCSPResp basic, java.security.PublicKey key) {
    try {
      return basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key));
    } catch (OperatorCreationException | OCSPException | RuntimeException e) {
      return false;
    }
  }

  private static boolean issuedBy(X509CertificateHolder cert, X509Certificate issuer) {
    try {
      return cert.getIssuer().equals(X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()))
          && cert.isSignatureValid(new JcaContentVerifierProviderBuilder().build(issuer.getPublicKey()));
    } catch (OperatorCreationException | org.bouncycastle.cert.CertException | RuntimeException e) {
      return false;
    }
  }

  /**
   * The certificate of the chain whose key signed the leaf, or null: a name alone is not enough,
   * or a server could put a decoy "issuer" first and staple a response of its own making.
   */
  private static X509Certificate findIssuer(X509Certificate leaf, java.util.List<X509Certificate> chain) {
    for (X509Certificate c : chain.subList(1, chain.size())) {
      if (c.getSubjectX500Principal().equals(leaf.getIssuerX500Principal()) && signed(leaf, c)) {
        return c;
      }
    }
    return null;
  }

  private static boolean signed(X509Certificate leaf, X509Certificate issuer) {
    try {
      leaf.verify(issuer.getPublicKey());
      return true;
    } catch (java.security.GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }
}
