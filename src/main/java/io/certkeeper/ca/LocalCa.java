package io.certkeeper.ca;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.StoreException;
import io.certkeeper.util.AtomicFiles;
import io.certkeeper.util.BoundedRead;
import io.certkeeper.util.Json;
import io.certkeeper.x509.Fingerprints;
import io.certkeeper.x509.KeyPairs;
import io.certkeeper.x509.KeyType;
import io.certkeeper.x509.Pem;
import io.certkeeper.x509.PrivateKeys;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The local certificate authority: a root, optionally an intermediate, and the decrypted key of
 * whichever of them signs leaves and CRLs (the issuer). Loaded once and kept: signing a leaf needs
 * no file access, no key decryption and no provider look-up.
 *
 * <p>A CA lives in one directory ({@code <data-dir>/ca}): {@code root.pem}, {@code root.key.pem},
 * with an intermediate {@code intermediate.pem} and {@code intermediate.key.pem}, the current
 * {@code crl.der}/{@code crl.pem}, and {@code ca.json}, written last. Keys are encrypted PKCS#8
 * (PBKDF2-HMAC-SHA256, AES-256-CBC) and mode 0600; {@code openssl pkey} opens them with the
 * passphrase.
 *
 * <p>Start with {@link #init} (a new CA) or {@link #load}; issue with {@link Issuer}, revoke and
 * publish CRLs with {@link CrlPublisher}.
 */
public final class LocalCa {
  static final String ROOT_CERT = "root.pem";
  static final String ROOT_KEY = "root.key.pem";
  static final String INTERMEDIATE_CERT = "intermediate.pem";
  static final String INTERMEDIATE_KEY = "intermediate.key.pem";
  static final String MANIFEST = "ca.json";
  static final String CRL_DER = "crl.der";
  static final String CRL_PEM = "crl.pem";
  private static final List<String> CA_FILES =
      List.of(MANIFEST, ROOT_CERT, ROOT_KEY, INTERMEDIATE_CERT, INTERMEDIATE_KEY);

  /** Shorter passphrases are refused by {@link #init}. */
  public static final int MIN_PASSPHRASE_LENGTH = 12;

  private final Path dir;
  private final CaCertificates certificates;
  private final PrivateKey issuerKey;
  private final String issuerSha256;
  private final X500Name issuerName;
  private final AuthorityKeyIdentifier issuerKeyId;
  private final String signatureAlgorithm;

  private LocalCa(Path dir, CaCertificates certificates, PrivateKey issuerKey) {
    this.dir = dir;
    this.certificates = certificates;
    this.issuerKey = issuerKey;
    X509Certificate issuer = certificates.issuer();
    this.issuerSha256 = Fingerprints.sha256(issuer);
    this.issuerName = CertificateProfiles.subjectOf(issuer);
    this.issuerKeyId = CertificateProfiles.keyIdOf(issuer);
    this.signatureAlgorithm = KeyType.of(issuer.getPublicKey())
        .orElseThrow(() -> new IllegalArgumentException("unsupported CA key in " + issuer.getSubjectX500Principal()))
        .signatureAlgorithm();
  }

  /** Whether {@code dir} holds a CA, complete or not. */
  public static boolean exists(Path dir) {
    return CA_FILES.stream().anyMatch(f -> Files.exists(dir.resolve(f)));
  }

  /**
   * Creates a CA in {@code dir}: generates the keys, signs the root (and intermediate), records
   * them in the store, then writes the files, {@code ca.json} last. On failure nothing is left in
   * {@code dir}.
   *
   * @throws CaException when {@code dir} already holds a CA or the passphrase is too short
   */
  public static LocalCa init(Path dir, InitRequest request, char[] passphrase, IssuedCertificateRepository repo,
      Clock clock) throws CaException, StoreException {
    if (exists(dir)) {
      throw new CaException("a CA already exists in " + dir + "; refusing to overwrite it");
    }
    if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
      throw new CaException("the CA passphrase must be at least " + MIN_PASSPHRASE_LENGTH + " characters");
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    KeyPair rootKeys = KeyPairs.generate(request.keyType());
    X509Certificate root = CertificateProfiles.root(request.name(), rootKeys, SerialNumbers.next(clock), now,
        request.validity());
    Optional<KeyPair> interKeys = request.intermediateValidity().map(v -> KeyPairs.generate(request.keyType()));
    Optional<X509Certificate> inter = Optional.empty();
    if (interKeys.isPresent()) {
      inter = Optional.of(CertificateProfiles.intermediate(request.name() + " Intermediate", interKeys.get().getPublic(),
          root, rootKeys.getPrivate(), SerialNumbers.next(clock), now, request.intermediateValidity().get()));
    }
    // Each serial carries 96 random bits; a collision here would mean a broken random source.
    if (!repo.recordRoot(root, now)) {
      throw new CaException("serial number collision while creating the root; try again");
    }
    if (inter.isPresent() && !repo.record(inter.get(), Fingerprints.sha256(root), "intermediate", now)) {
      throw new CaException("serial number collision while creating the intermediate; try again");
    }
    CaManifest manifest = new CaManifest(CaManifest.FORMAT, request.name(), request.keyType(), now,
        Fingerprints.sha256(root), inter.map(Fingerprints::sha256));
    List<Path> written = new ArrayList<>();
    try {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      write(written, dir.resolve(ROOT_KEY), PrivateKeys.toEncryptedPem(rootKeys.getPrivate(), passphrase));
      if (inter.isPresent()) {
        write(written, dir.resolve(INTERMEDIATE_KEY),
            PrivateKeys.toEncryptedPem(interKeys.get().getPrivate(), passphrase));
        write(written, dir.resolve(INTERMEDIATE_CERT), Pem.encode(inter.get()));
      }
      write(written, dir.resolve(ROOT_CERT), Pem.encode(root));
      write(written, dir.resolve(MANIFEST), Json.pretty(manifest) + "\n");
    } catch (IOException e) {
      for (Path p : written) {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // best effort: the error below is what matters
        }
      }
      throw new CaException("cannot write the CA to " + dir + ": " + e.getMessage(), e);
    }
    PrivateKey issuerKey = interKeys.map(KeyPair::getPrivate).orElse(rootKeys.getPrivate());
    return new LocalCa(dir, new CaCertificates(manifest, root, inter), issuerKey);
  }

  /** Every file of the CA is owner-only, certificates too: {@code ca export-root} hands out the root. */
  private static void write(List<Path> written, Path file, String text) throws IOException {
    AtomicFiles.create(file, text.getBytes(StandardCharsets.US_ASCII), AtomicFiles.PRIVATE);
    written.add(file);
  }

  /**
   * Reads the public half of the CA in {@code dir}: manifest and certificates, checked against the
   * manifest's fingerprints.
   *
   * @throws CaException when there is no CA, or it is incomplete or damaged
   */
  public static CaCertificates readCertificates(Path dir) throws CaException {
    Path manifestFile = dir.resolve(MANIFEST);
    if (!Files.exists(manifestFile)) {
      if (exists(dir)) {
        throw new CaException("incomplete CA in " + dir + " (no " + MANIFEST + "; an interrupted 'ca init'?);"
            + " move the directory away and run 'certkeeper ca init' again");
      }
      throw new CaException("no CA in " + dir + "; create one with 'certkeeper ca init'");
    }
    CaManifest manifest;
    try {
      manifest = Json.mapper().readValue(readBounded(manifestFile), CaManifest.class);
    } catch (JsonProcessingException e) {
      throw new CaException(manifestFile + ": not a valid CA manifest: " + e.getOriginalMessage(), e);
    }
    if (manifest.format() != CaManifest.FORMAT) {
      throw new CaException(manifestFile + ": unsupported format " + manifest.format());
    }
    X509Certificate root = readCertificate(dir.resolve(ROOT_CERT), manifest.rootSha256());
    Optional<X509Certificate> inter = Optional.empty();
    if (manifest.intermediateSha256().isPresent()) {
      inter = Optional.of(readCertificate(dir.resolve(INTERMEDIATE_CERT), manifest.intermediateSha256().get()));
    }
    return new CaCertificates(manifest, root, inter);
  }

  /**
   * Loads the CA in {@code dir} and decrypts the issuing key with {@code passphrase}.
   *
   * @throws CaException when there is no CA, the passphrase is wrong, or a file is damaged
   */
  public static LocalCa load(Path dir, char[] passphrase) throws CaException {
    CaCertificates certs = readCertificates(dir);
    Path keyFile = dir.resolve(certs.intermediate().isPresent() ? INTERMEDIATE_KEY : ROOT_KEY);
    String pem = readBounded(keyFile);
    PrivateKey key;
    try {
      key = PrivateKeys.decrypt(pem, passphrase);
    } catch (UnrecoverableKeyException e) {
      throw new CaException("wrong CA passphrase for " + keyFile + " (or the key file is damaged)", e);
    } catch (IllegalArgumentException e) {
      throw new CaException(keyFile + ": not a usable encrypted CA key: " + e.getMessage(), e);
    }
    if (!matches(key, certs.issuer().getPublicKey())) {
      throw new CaException(keyFile + ": the key does not belong to the CA certificate (damaged or swapped file)");
    }
    return new LocalCa(dir, certs, key);
  }

  private static boolean matches(PrivateKey key, PublicKey pub) {
    try {
      String alg = KeyType.of(pub).map(KeyType::signatureAlgorithm).orElse("none");
      byte[] probe = "certkeeper key check".getBytes(StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(alg, KeyPairs.provider());
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg, KeyPairs.provider());
      v.initVerify(pub);
      v.update(probe);
      return v.verify(sig);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static X509Certificate readCertificate(Path file, String expectedSha256) throws CaException {
    X509Certificate cert;
    try {
      List<X509Certificate> certs = Pem.parseCertificates(readBounded(file));
      cert = certs.get(0);
    } catch (IllegalArgumentException e) {
      throw new CaException(file + ": " + e.getMessage(), e);
    }
    if (!Fingerprints.sha256(cert).equals(expectedSha256)) {
      throw new CaException(file + ": certificate does not match " + MANIFEST + " (replaced or damaged)");
    }
    return cert;
  }

  private static String readBounded(Path file) throws CaException {
    try {
      return BoundedRead.text(file, Pem.MAX_FILE_BYTES, StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException e) {
      throw new CaException("CA file missing: " + file, e);
    } catch (BoundedRead.Refused e) {
      throw new CaException(e.getMessage(), e);
    } catch (IOException e) {
      throw new CaException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  // ---- the loaded CA --------------------------------------------------------------------------

  public Path directory() {
    return dir;
  }

  public CaCertificates certificates() {
    return certificates;
  }

  public X509Certificate root() {
    return certificates.root();
  }

  /** The certificate that signs leaves and CRLs. */
  public X509Certificate issuer() {
    return certificates.issuer();
  }

  public String issuerSha256() {
    return issuerSha256;
  }

  /** The chain a leaf is served with, without the root. */
  public List<X509Certificate> chain() {
    return certificates.chain();
  }

  X500Name issuerName() {
    return issuerName;
  }

  AuthorityKeyIdentifier issuerKeyId() {
    return issuerKeyId;
  }

  /** A signer over the issuer key; one per certificate or CRL (signers are not thread-safe). */
  ContentSigner signer() {
    try {
      return new JcaContentSignerBuilder(signatureAlgorithm).setProvider(KeyPairs.provider()).build(issuerKey);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot sign with the CA key: " + e.getMessage(), e);
    }
  }

  /** The leaf's certificate, signed now; the caller records it. */
  X509Certificate signLeaf(String cn, List<San> sans, PublicKey key, Profile profile, BigInteger serial,
      Instant notBefore, Instant notAfter, LeafUrls urls) {
    return CertificateProfiles.leaf(this, cn, sans, key, profile, serial, notBefore, notAfter, urls);
  }

  /** Latest notAfter a certificate issued now may have. */
  Instant issuerNotAfter() {
    return issuer().getNotAfter().toInstant();
  }
}
