package io.certkeeper.x509;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CRL;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads certificate revocation lists from a file or an HTTP answer: PEM ({@code X509 CRL}
 * blocks) or DER (one or more CRLs back to back). Every CRL passes {@link Asn1Limits} before the
 * JDK parses it.
 */
public final class Crls {
  private static final Pattern CRL_BLOCK =
      Pattern.compile("-----BEGIN X509 CRL-----([A-Za-z0-9+/=\\s]*?)-----END X509 CRL-----");

  private Crls() {}

  /**
   * The CRLs in {@code bytes}, in order; at least one.
   *
   * @throws IllegalArgumentException saying which CRL is wrong and how
   */
  public static List<X509CRL> parse(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    List<byte[]> ders = new ArrayList<>();
    if (text.contains("-----BEGIN")) {
      Matcher m = CRL_BLOCK.matcher(text);
      while (m.find()) {
        try {
          ders.add(Base64.getMimeDecoder().decode(m.group(1)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("CRL " + (ders.size() + 1) + ": bad base64", e);
        }
      }
    } else if (bytes.length > 0) {
      ders.add(bytes);
    }
    if (ders.isEmpty()) {
      throw new IllegalArgumentException("no CRL found");
    }
    List<X509CRL> out = new ArrayList<>();
    for (byte[] der : ders) {
      String which = ders.size() == 1 ? "CRL" : "CRL " + (out.size() + 1);
      try {
        Asn1Limits.check(der, Asn1Limits.MAX_CRL_BYTES);
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        for (CRL crl : Asn1Limits.guard(() -> cf.generateCRLs(new ByteArrayInputStream(der)))) {
          out.add((X509CRL) crl);
        }
      } catch (CRLException | CertificateException | IllegalArgumentException e) {
        throw new IllegalArgumentException(which + " is not a valid CRL: " + e.getMessage(), e);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no CRL found");
    }
    return List.copyOf(out);
  }
}
