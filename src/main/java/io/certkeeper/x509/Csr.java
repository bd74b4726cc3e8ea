package io.certkeeper.x509;

import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * A PKCS#10 certificate signing request whose signature has been verified: what it asks for (the
 * subject's common name and subject alternative names) and the public key to certify. Nothing
 * else of the request is trusted or carried over.
 *
 * @param commonName the subject's CN, if it has one
 * @param sans requested SANs as {@code dns:}, {@code ip:}, {@code email:}, {@code uri:} (others as
 *     {@code other:N}), as {@link CertificateInfo} writes them
 */
public record Csr(Optional<String> commonName, List<String> sans, PublicKey publicKey) {
  /** A request larger than this is not a request. */
  public static final int MAX_BYTES = 64 * 1024;

  public Csr {
    sans = List.copyOf(sans);
  }

  /**
   * Reads a PEM ({@code CERTIFICATE REQUEST}) or DER request and verifies its signature. The
   * encoding passes {@link Asn1Limits} first.
   *
   * @throws IllegalArgumentException when it is not a request, or its signature does not verify
   */
  public static Csr parse(byte[] bytes) {
    if (bytes.length > MAX_BYTES) {
      throw new IllegalArgumentException("larger than " + MAX_BYTES + " bytes; not a certificate request");
    }
    try {
      return Asn1Limits.guard(() -> verified(decode(bytes)));
    } catch (IllegalArgumentException e) {
      if (e.getCause() instanceof StackOverflowError) {
        throw new IllegalArgumentException("not a PKCS#10 certificate request: " + e.getMessage(), e);
      }
      throw e;
    }
  }

  private static Csr verified(PKCS10CertificationRequest req) {
    PublicKey key;
    boolean ok;
    try {
      key = new JcaPKCS10CertificationRequest(req).setProvider(KeyPairs.provider()).getPublicKey();
      ok = req.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(KeyPairs.provider()).build(key));
    } catch (PKCSException | OperatorCreationException | GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("the request's signature cannot be verified: " + e.getMessage(), e);
    }
    if (!ok) {
      throw new IllegalArgumentException("the request's signature does not verify (damaged or forged request)");
    }
    return new Csr(commonName(req.getSubject()), sans(req), key);
  }

  private static PKCS10CertificationRequest decode(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    Object o;
    try {
      if (!text.contains("-----BEGIN")) {
        Asn1Limits.check(bytes, MAX_BYTES);
        return new PKCS10CertificationRequest(bytes);
      }
      Asn1Limits.checkPem(text, MAX_BYTES);
      try (PEMParser p = new PEMParser(new StringReader(text))) {
        o = p.readObject();
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a PKCS#10 certificate request: " + e.getMessage(), e);
    }
    if (!(o instanceof PKCS10CertificationRequest)) {
      throw new IllegalArgumentException("no PEM CERTIFICATE REQUEST found");
    }
    return (PKCS10CertificationRequest) o;
  }

  private static Optional<String> commonName(X500Name subject) {
    RDN[] cns = subject.getRDNs(BCStyle.CN);
    if (cns.length == 0) {
      return Optional.empty();
    }
    return Optional.of(IETFUtils.valueToString(cns[0].getFirst().getValue()));
  }

  private static List<String> sans(PKCS10CertificationRequest req) {
    List<String> out = new ArrayList<>();
    for (Attribute a : req.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
      for (var value : a.getAttributeValues()) {
        Extensions exts = Extensions.getInstance(value);
        Extension san = exts.getExtension(Extension.subjectAlternativeName);
        if (san == null) {
          continue;
        }
        for (GeneralName n : GeneralNames.getInstance(san.getParsedValue()).getNames()) {
          out.add(describe(n));
        }
      }
    }
    return out;
  }

  private static String describe(GeneralName n) {
    switch (n.getTagNo()) {
      case GeneralName.dNSName: return "dns:" + ASN1IA5String.getInstance(n.getName()).getString();
      case GeneralName.rfc822Name: return "email:" + ASN1IA5String.getInstance(n.getName()).getString();
      case GeneralName.uniformResourceIdentifier: return "uri:" + ASN1IA5String.getInstance(n.getName()).getString();
      case GeneralName.iPAddress:
        try {
          return "ip:" + InetAddress.getByAddress(ASN1OctetString.getInstance(n.getName()).getOctets()).getHostAddress();
        } catch (UnknownHostException e) {
          return "other:" + n.getTagNo();
        }
      default:
        return "other:" + n.getTagNo();
    }
  }
}
