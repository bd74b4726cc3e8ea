package io.certkeeper.x509;

import io.certkeeper.util.BoundedRead;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * PEM encoding of certificates: reading files that hold one or many (a leaf followed by its
 * chain, a trust bundle) and writing them back. Reads are bounded in size and go through Bouncy
 * Castle's PEM reader ({@link PemBlocks}); every block that is not well formed, and every
 * certificate block that does not hold a certificate, is an error naming the block's index and
 * line. Blocks of other types (a private key in a combined file) are passed over.
 */
public final class Pem {
  /** Larger than any sane bundle (the Mozilla root store is ~250 KB). */
  public static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

  /** The block types that hold a certificate, as OpenSSL writes them. */
  private static final Set<String> CERTIFICATE_TYPES = Set.of("CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE");

  private Pem() {}

  /**
   * Every certificate in {@code file}, in file order. A DER file holding one certificate is read
   * too.
   *
   * @throws IOException naming the file when it cannot be read, is not a regular file, is too
   *     large, or holds no valid certificate
   */
  public static List<X509Certificate> readCertificates(Path file) throws IOException {
    byte[] bytes = BoundedRead.bytes(file, MAX_FILE_BYTES);
    try {
      return parseCertificates(bytes);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Certificates from PEM text, or a single DER certificate.
   *
   * @throws IllegalArgumentException when there is no certificate, or naming the first bad block:
   *     {@code block 2 (line 23): not a valid X.509 certificate: ...}
   */
  public static List<X509Certificate> parseCertificates(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    if (!PemBlocks.looksLikePem(text)) {
      if (bytes.length > 0 && bytes[0] == 0x30) {
        return List.of(decodeDer(bytes));
      }
      throw new IllegalArgumentException("no PEM certificate found");
    }
    List<X509Certificate> out = new ArrayList<>();
    for (PemBlocks.Block b : PemBlocks.read(text)) {
      if (!CERTIFICATE_TYPES.contains(b.type())) {
        continue;
      }
      if (b.hasHeaders()) {
        throw new IllegalArgumentException(b.where() + ": " + b.type() + ": unexpected header lines (Name: value)");
      }
      out.add(decode(b.content(), b.where() + ": not a valid X.509 certificate"));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no PEM certificate found");
    }
    return List.copyOf(out);
  }

  /** Certificates from PEM text. */
  public static List<X509Certificate> parseCertificates(String pem) {
    return parseCertificates(pem.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Decodes one DER certificate, after {@link Asn1Limits} has checked its size and nesting.
   *
   * @throws IllegalArgumentException when it is not a certificate
   */
  public static X509Certificate decodeDer(byte[] der) {
    return decode(der, "certificate 1 is not a valid X.509 certificate");
  }

  private static X509Certificate decode(byte[] der, String refusal) {
    try {
      Asn1Limits.check(der, Asn1Limits.MAX_CERTIFICATE_BYTES);
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      return Asn1Limits.guard(() -> (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
    } catch (CertificateException | IllegalArgumentException e) {
      throw new IllegalArgumentException(refusal + ": " + e.getMessage(), e);
    }
  }

  /** {@code cert} as a PEM block with a trailing newline. */
  public static String encode(X509Certificate cert) {
    try {
      return block("CERTIFICATE", cert.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("certificate cannot be encoded: " + e.getMessage(), e);
    }
  }

  /** The certificates as concatenated PEM blocks, in order. */
  public static String encodeAll(List<X509Certificate> certs) {
    StringBuilder sb = new StringBuilder();
    for (X509Certificate c : certs) {
      sb.append(encode(c));
    }
    return sb.toString();
  }

  /** A PEM block of {@code type} around {@code der}, 64 characters a line. */
  public static String block(String type, byte[] der) {
    String b64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + b64 + "\n-----END " + type + "-----\n";
  }
}
