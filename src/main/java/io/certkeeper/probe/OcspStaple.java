package io.certkeeper.probe;

import io.certkeeper.x509.Asn1Limits;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import org.bouncycastle.cert.X509CertificateHolder;
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
 * Reads a stapled OCSP response for the leaf: what it says about the leaf's serial number (and,
 * when the issuer is in the chain, only a response for that issuer, signed by it or by a
 * responder it delegated to). A response that does not parse, is not successful, or does not
 * cover the leaf reads as {@code UNKNOWN}. A response that cannot be decoded at all (refused by
 * {@link Asn1Limits}: too large, nested too deeply, not framed; or rejected by the parser) is
 * also {@code malformed}, which the judge reports as a problem of the probe.
 */
final class OcspStaple {
  private OcspStaple() {}

  /**
   * What a response says, and why it could not be decoded if it could not.
   *
   * @param malformed the reason the bytes are not an OCSP response at all
   */
  record Reading(OcspStatus status, Optional<String> malformed) {
    static Reading of(OcspStatus status) {
      return new Reading(status, Optional.empty());
    }
  }

  static OcspStatus statusOf(Optional<byte[]> staple, java.util.List<X509Certificate> chain) {
    return read(staple, chain).status();
  }

  static Reading read(Optional<byte[]> staple, java.util.List<X509Certificate> chain) {
    if (staple.isEmpty()) {
      return Reading.of(OcspStatus.NONE);
    }
    OCSPResp response;
    try {
      byte[] bytes = staple.get();
      Asn1Limits.check(bytes, Asn1Limits.MAX_OCSP_BYTES);
      response = Asn1Limits.guard(() -> new OCSPResp(bytes));
    } catch (IOException | RuntimeException e) {
      return new Reading(OcspStatus.UNKNOWN, Optional.of(io.certkeeper.util.ErrorText.reason(e)));
    }
    if (chain.isEmpty()) {
      return Reading.of(OcspStatus.UNKNOWN);
    }
    try {
      return Reading.of(Asn1Limits.guard(() -> statusOf(response, chain)));
    } catch (IllegalArgumentException e) {
      // only a stack overflow gets here: statusOf reads every other failure as UNKNOWN
      return new Reading(OcspStatus.UNKNOWN, Optional.of(io.certkeeper.util.ErrorText.reason(e)));
    }
  }

  private static OcspStatus statusOf(OCSPResp response, java.util.List<X509Certificate> chain) {
    X509Certificate leaf = chain.get(0);
    X509Certificate issuer = findIssuer(leaf, chain);
    try {
      if (response.getStatus() != OCSPResp.SUCCESSFUL
          || !(response.getResponseObject() instanceof BasicOCSPResp basic)) {
        return OcspStatus.UNKNOWN;
      }
      if (issuer != null && !signedByIssuerOrDelegate(basic, issuer)) {
        return OcspStatus.UNKNOWN;
      }
      DigestCalculatorProvider digests = new JcaDigestCalculatorProviderBuilder().build();
      X509CertificateHolder issuerHolder =
          issuer == null ? null : new X509CertificateHolder(issuer.getEncoded());
      for (SingleResp single : basic.getResponses()) {
        CertificateID id = single.getCertID();
        if (!id.getSerialNumber().equals(leaf.getSerialNumber())) {
          continue;
        }
        if (issuerHolder != null && !id.matchesIssuer(issuerHolder, digests)) {
          continue;
        }
        Object status = single.getCertStatus();
        if (status == null) {
          return OcspStatus.GOOD;
        }
        return status instanceof RevokedStatus ? OcspStatus.REVOKED : OcspStatus.UNKNOWN;
      }
      return OcspStatus.UNKNOWN;
    } catch (IOException | OCSPException | OperatorCreationException
        | java.security.cert.CertificateEncodingException | RuntimeException e) {
      return OcspStatus.UNKNOWN;
    }
  }

  private static boolean signedByIssuerOrDelegate(BasicOCSPResp basic, X509Certificate issuer) {
    try {
      JcaContentVerifierProviderBuilder verifiers = new JcaContentVerifierProviderBuilder();
      if (basic.isSignatureValid(verifiers.build(issuer.getPublicKey()))) {
        return true;
      }
      for (X509CertificateHolder responder : basic.getCerts()) {
        boolean delegated = responder.getExtensions() != null
            && responder.isSignatureValid(verifiers.build(issuer.getPublicKey()))
            && basic.isSignatureValid(verifiers.build(responder));
        if (delegated) {
          return true;
        }
      }
      return false;
    } catch (OperatorCreationException | OCSPException | org.bouncycastle.cert.CertException
        | java.security.cert.CertificateException e) {
      return false;
    }
  }

  private static X509Certificate findIssuer(X509Certificate leaf, java.util.List<X509Certificate> chain) {
    for (X509Certificate c : chain.subList(1, chain.size())) {
      if (c.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) {
        return c;
      }
    }
    return null;
  }
}
