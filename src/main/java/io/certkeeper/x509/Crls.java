package io.certkeeper.x509;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CRL;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads certificate revocation lists from a file or an HTTP answer: PEM ({@code X509 CRL}
 * blocks, read by Bouncy Castle's PEM reader through {@link PemBlocks}: a block that is not well
 * formed is an error naming its index and line) or DER (one or more CRLs back to back). Every CRL
 * passes {@link Asn1Limits} before the JDK parses it.
 */
public final class Crls {
  private static final String CRL_TYPE = "X509 CRL";

  private Crls() {}

  /**
   * The CRLs in {@code bytes}, in order; at least one.
   *
   * @throws IllegalArgumentException saying which CRL is wrong and how
   */
  public static List<X509CRL> parse(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    List<X509CRL> out = new ArrayList<>();
    if (PemBlocks.looksLikePem(text)) {
      for (PemBlocks.Block b : PemBlocks.read(text)) {
        if (!b.type().equals(CRL_TYPE)) {
          continue;
        }
        if (b.hasHeaders()) {
          throw new IllegalArgumentException(b.where() + ": " + CRL_TYPE + ": unexpected header lines (Name: value)");
        }
        out.addAll(decode(b.content(), b.where() + ": not a valid CRL"));
      }
    } else if (bytes.length > 0) {
      out.addAll(decode(bytes, "CRL is not a valid CRL"));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no CRL found");
    }
    return List.copyOf(out);
  }

  private static List<X509CRL> decode(byte[] der, String refusal) {
    List<X509CRL> out = new ArrayList<>();
    try {
      Asn1Limits.check(der, Asn1Limits.MAX_CRL_BYTES);
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (CRL crl : Asn1Limits.guard(() -> cf.generateCRLs(new ByteArrayInputStream(der)))) {
        out.add((X509CRL) crl);
      }
    } catch (CRLException | CertificateException | IllegalArgumentException e) {
      throw new IllegalArgumentException(refusal + ": " + e.getMessage(), e);
    }
    return out;
  }
}
