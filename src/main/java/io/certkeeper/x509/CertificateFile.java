package io.certkeeper.x509;

import io.certkeeper.util.BoundedRead;
import io.certkeeper.util.ErrorText;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The certificates in a file on disk, whatever its format: PEM (one or a bundle; other blocks such
 * as keys are skipped), DER, PKCS#12, JKS or JCEKS, told apart by content, not by name. Each
 * certificate comes with where it is in the file: its position in a bundle, or its keystore alias
 * (and its position in that entry's chain). Every read is bounded (size, ASN.1 nesting, PKCS#12 key
 * derivation cost), and a file that cannot be read is one line saying why.
 */
public final class CertificateFile {
  /** Larger files are not certificate files. */
  public static final long MAX_BYTES = Asn1Limits.MAX_KEYSTORE_BYTES;
  /** Certificates read from one file at most. */
  public static final int MAX_CERTIFICATES = 10_000;

  /** A certificate and where it is: {@code #2} (a bundle's second) or {@code alias} / {@code alias#2}. */
  public record Found(String where, X509Certificate certificate) {}

  /** The format a file was read as. */
  public enum Format { PEM, DER, PKCS12, JKS, JCEKS }

  /** What a file holds. */
  public record Read(Format format, List<Found> certificates) {}

  /** A file that is readable but no certificate file at all (a key, text, a binary): not a damaged one. */
  public static final class NotCertificates extends IOException {
    private static final long serialVersionUID = 1L;

    NotCertificates(String message) {
      super(message);
    }
  }

  private CertificateFile() {}

  /**
   * Reads {@code file}.
   *
   * @param password a keystore's password; without one a JKS/JCEKS file is read without checking
   *     its integrity, and a PKCS#12 file with the empty password
   * @throws IOException one line: the file, and why it holds no readable certificate (unreadable,
   *     too large, wrong password, not a certificate file)
   */
  public static Read read(Path file, Optional<char[]> password) throws IOException {
    byte[] bytes;
    try {
      bytes = BoundedRead.bytes(file, MAX_BYTES);
    } catch (IOException e) {
      throw new IOException(ErrorText.about(file, e), e);
    }
    try {
      return parse(bytes, password);
    } catch (NotCertificates e) {
      throw new NotCertificates(file + ": " + e.getMessage());
    } catch (IllegalArgumentException | IOException | GeneralSecurityException e) {
      throw new IOException(file + ": " + ErrorText.reason(e), e);
    }
  }

  /** {@link #read}, of bytes already read. */
  public static Read parse(byte[] bytes, Optional<char[]> password)
      throws IOException, GeneralSecurityException {
    if (bytes.length >= 4 && magic(bytes) == 0xFEEDFEEDL) {
      return keystore(Format.JKS, bytes, password);
    }
    if (bytes.length >= 4 && magic(bytes) == 0xCECECECEL) {
      return keystore(Format.JCEKS, bytes, password);
    }
    String text = new String(bytes, 0, Math.min(bytes.length, 64 * 1024), java.nio.charset.StandardCharsets.ISO_8859_1);
    if (PemBlocks.looksLikePem(text)) {
      List<X509Certificate> certs;
      try {
        certs = Pem.parseCertificates(bytes);
      } catch (IllegalArgumentException e) {
        if (e.getMessage() != null && e.getMessage().startsWith("no PEM certificate")) {
          throw new NotCertificates("PEM without a certificate (a key or a request?)");
        }
        throw e;
      }
      return new Read(Format.PEM, positioned(certs));
    }
    if (bytes.length > 0 && bytes[0] == 0x30) {
      try {
        return new Read(Format.DER, positioned(List.of(Pem.decodeDer(bytes))));
      } catch (IllegalArgumentException notACertificate) {
        try {
          return keystore(Format.PKCS12, bytes, password.or(() -> Optional.of(new char[0])));
        } catch (IOException e) {
          String why = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
          if (why.contains("password") || why.contains("mac") || e.getCause() instanceof javax.crypto.BadPaddingException) {
            throw new IOException("PKCS#12: wrong password" + (password.isEmpty() ? " (none given)" : ""), e);
          }
          throw new IllegalArgumentException("neither a DER certificate nor a PKCS#12 keystore: "
              + notACertificate.getMessage(), e);
        }
      }
    }
    throw new NotCertificates("not a certificate file (PEM, DER, PKCS#12, JKS or JCEKS)");
  }

  private static long magic(byte[] b) {
    return ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
  }

  private static List<Found> positioned(List<X509Certificate> certs) {
    List<Found> out = new ArrayList<>();
    for (int i = 0; i < certs.size() && i < MAX_CERTIFICATES; i++) {
      out.add(new Found("#" + (i + 1), certs.get(i)));
    }
    return out;
  }

  private static Read keystore(Format format, byte[] bytes, Optional<char[]> password)
      throws IOException, GeneralSecurityException {
    KeyStore ks;
    try {
      ks = Pkcs12.load(bytes, format == Format.PKCS12 ? "PKCS12" : format.name(), password.orElse(null));
    } catch (IOException e) {
      if (format != Format.PKCS12 && password.isPresent()) {
        throw new IOException(format + ": wrong password, or the keystore is damaged", e);
      }
      throw e;
    }
    List<Found> out = new ArrayList<>();
    for (String alias : Collections.list(ks.aliases())) {
      Certificate[] chain = ks.getCertificateChain(alias);
      if (chain == null) {
        Certificate c = ks.getCertificate(alias);
        chain = c == null ? new Certificate[0] : new Certificate[] {c};
      }
      for (int i = 0; i < chain.length && out.size() < MAX_CERTIFICATES; i++) {
        if (chain[i] instanceof X509Certificate x) {
          out.add(new Found(i == 0 ? alias : alias + "#" + (i + 1), x));
        }
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(format + " keystore without a certificate");
    }
    return new Read(format, out);
  }
}
