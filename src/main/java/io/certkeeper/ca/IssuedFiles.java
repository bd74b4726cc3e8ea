package io.certkeeper.ca;

import io.certkeeper.util.AtomicFiles;
import io.certkeeper.x509.Pem;
import io.certkeeper.x509.Pkcs12;
import io.certkeeper.x509.PrivateKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The files an issued certificate with a new key is delivered as, each written atomically:
 *
 * <ul>
 *   <li>{@code key.pem} the private key, PKCS#8, mode 0600;
 *   <li>{@code cert.pem} the certificate;
 *   <li>{@code chain.pem} the issuer chain without the root (empty when the root signs leaves);
 *   <li>{@code fullchain.pem} the certificate then the chain, what a TLS server sends;
 *   <li>{@code bundle.p12} key, certificate and chain in PKCS#12 (AES-256, HMAC-SHA256), 0600;
 *   <li>{@code bundle.p12.pass} its password, 0600, when none was given.
 * </ul>
 */
public final class IssuedFiles {
  public static final String KEY = "key.pem";
  public static final String CERT = "cert.pem";
  public static final String CHAIN = "chain.pem";
  public static final String FULLCHAIN = "fullchain.pem";
  public static final String P12 = "bundle.p12";
  public static final String P12_PASSWORD = "bundle.p12.pass";
  private static final List<String> ALL = List.of(KEY, CERT, CHAIN, FULLCHAIN, P12, P12_PASSWORD);
  private static final SecureRandom RANDOM = new SecureRandom();

  private IssuedFiles() {}

  /** The files of {@link #write} that already exist in {@code dir}. */
  public static List<Path> existing(Path dir) {
    List<Path> out = new ArrayList<>();
    for (String f : ALL) {
      if (Files.exists(dir.resolve(f), LinkOption.NOFOLLOW_LINKS)) {
        out.add(dir.resolve(f));
      }
    }
    return out;
  }

  /**
   * Writes the files into {@code dir} (created 0700 when missing).
   *
   * @param p12Password the bundle's password; when empty one is generated and written to
   *     {@code bundle.p12.pass}
   * @return the files written
   */
  public static List<Path> write(Path dir, IssuedCertificate issued, Optional<char[]> p12Password) throws IOException {
    return write(dir, issued, p12Password, true);
  }

  /**
   * As {@link #write(Path, IssuedCertificate, Optional)}, the PKCS#12 bundle only when {@code p12}
   * (it costs more than the rest: its key derivation runs tens of thousands of hash rounds).
   */
  public static List<Path> write(Path dir, IssuedCertificate issued, Optional<char[]> p12Password, boolean p12)
      throws IOException {
    PrivateKey key = issued.privateKey()
        .orElseThrow(() -> new IllegalArgumentException("no private key to write: the certificate was issued for a CSR"));
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
    }
    List<Path> written = new ArrayList<>();
    write(written, dir.resolve(KEY), ascii(PrivateKeys.toPkcs8Pem(key)), true);
    write(written, dir.resolve(CERT), ascii(Pem.encode(issued.certificate())), false);
    write(written, dir.resolve(CHAIN), ascii(Pem.encodeAll(issued.chain())), false);
    write(written, dir.resolve(FULLCHAIN), ascii(Pem.encodeAll(issued.fullChain())), false);
    if (!p12) {
      return written;
    }
    char[] password = p12Password.orElseGet(IssuedFiles::generatePassword);
    String alias = io.certkeeper.x509.CertificateInfo.of(issued.certificate()).subjectCommonName();
    write(written, dir.resolve(P12), Pkcs12.write(key, issued.fullChain(), password, alias), true);
    if (p12Password.isEmpty()) {
      write(written, dir.resolve(P12_PASSWORD), (new String(password) + "\n").getBytes(StandardCharsets.UTF_8), true);
    }
    return written;
  }

  private static void write(List<Path> written, Path file, byte[] content, boolean secret) throws IOException {
    AtomicFiles.write(file, content, secret ? AtomicFiles.PRIVATE : AtomicFiles.PUBLIC);
    written.add(file);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** 32 URL-safe characters: 192 random bits. */
  static char[] generatePassword() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b).toCharArray();
  }
}
