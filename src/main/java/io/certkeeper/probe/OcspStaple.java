package io.certkeeper.probe;

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
 * cover the leaf reads as {@code UNKNOWN}.
 */
final class OcspStaple {
  private OcspStaple() {}

  static OcspStatus statusOf(Optional<byte[]> staple, java.util.List<X509Certificate> chain) {
    if (staple.isEmpty()) {
      return OcspStatus.NONE;
    }
    if (chain.isEmpty()) {
      return OcspStatus.UNKNOWN;
    }
    X509Certificate leaf = chain.get(0);
    X509Certificate issuer = findIssuer(leaf, chain);
    try {
      OCSPResp response = new OCSPResp(staple.get());
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
