package io.certkeeper.acme;

import io.certkeeper.config.AcmeConfig;
import io.certkeeper.config.SecretRef;
import io.certkeeper.util.AtomicFiles;
import io.certkeeper.x509.KeyPairs;
import io.certkeeper.x509.KeyType;
import io.certkeeper.x509.PrivateKeys;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;
import org.bouncycastle.jce.spec.ECPublicKeySpec;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.provider.GenericAcmeProvider;

/**
 * The configured ACME accounts: each one's key (EC P-256, made on first use and kept in
 * {@code <data-dir>/acme/NAME/account.key.pem}, encrypted under {@code acme.passphrase}, else
 * {@code ca.passphrase}), and a login at its server, made once per process (creating the account
 * the first time; the server finds the existing one by its key afterwards).
 */
public final class AcmeAccounts {
  /** Every request to an ACME server (connect and read) must answer within this time. */
  static final Duration NETWORK_TIMEOUT = Duration.ofSeconds(30);
  static final String KEY_FILE = "account.key.pem";

  private final Path dataDir;
  private final Optional<SecretRef> passphrase;
  private final Map<String, Login> logins = new HashMap<>();

  /**
   * @param passphrase {@code acme.passphrase}, else {@code ca.passphrase}; required once an
   *     account key is made or read
   */
  public AcmeAccounts(Path dataDir, Optional<SecretRef> passphrase) {
    this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
    this.passphrase = Objects.requireNonNull(passphrase, "passphrase");
  }

  /** Where account {@code name}'s key is. */
  public static Path keyFile(Path dataDir, String name) {
    return dataDir.resolve("acme").resolve(name).resolve(KEY_FILE);
  }

  /** The login of {@code account} at its server: its account made (terms agreed) or found by its key. */
  synchronized Login login(AcmeConfig.Account account) throws AcmeFailure {
    String id = account.name() + " " + account.directory();
    Login login = logins.get(id);
    if (login != null) {
      return login;
    }
    KeyPair key = key(account.name());
    Session session = new Session(account.directory(), new Provider(trust(account)));
    session.networkSettings().setTimeout(NETWORK_TIMEOUT);
    AccountBuilder b = new AccountBuilder().useKeyPair(key);
    for (String email : account.contact()) {
      b.addEmail(email);
    }
    if (account.agreeTos()) {
      b.agreeToTermsOfService();
    }
    if (account.eab().isPresent()) {
      char[] hmac = null;
      try {
        hmac = account.eab().get().hmacKey().resolve();
        b.withKeyIdentifier(account.eab().get().keyId(), new String(hmac).trim());
      } catch (IOException e) {
        throw new AcmeFailure("acme account " + account.name() + ": eab.hmac-key: " + e.getMessage());
      } finally {
        if (hmac != null) {
          Arrays.fill(hmac, '\0');
        }
      }
    }
    try {
      login = b.createLogin(session);
    } catch (AcmeException e) {
      AcmeFailure f = Problems.failure("acme account " + account.name() + " at " + account.directory(), e);
      if (!account.agreeTos() && f.getMessage().contains("agree")) {
        throw new AcmeFailure(f.getMessage() + "; set agree-tos: true once you agree to the server's terms",
            f.retryAfter(), e);
      }
      throw f;
    }
    logins.put(id, login);
    return login;
  }

  /** The account key of {@code name}: read and decrypted, or made and written (0600) the first time. */
  KeyPair key(String name) throws AcmeFailure {
    Path file = keyFile(dataDir, name);
    if (passphrase.isEmpty()) {
      throw new AcmeFailure("acme account " + name + ": no passphrase for its key: set acme.passphrase (or"
          + " ca.passphrase)");
    }
    char[] pass = null;
    try {
      pass = passphrase.get().resolve();
      if (Files.exists(file)) {
        if (Files.size(file) > PrivateKeys.MAX_PEM_BYTES) {
          throw new AcmeFailure("acme account " + name + ": " + file + " is larger than a key file can be");
        }
        PrivateKey key = PrivateKeys.decrypt(Files.readString(file, StandardCharsets.US_ASCII), pass);
        return jca(new KeyPair(publicOf(key), key));
      }
      KeyPair kp = KeyPairs.generate(KeyType.EC_P256);
      Files.createDirectories(file.getParent(),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      AtomicFiles.write(file, PrivateKeys.toEncryptedPem(kp.getPrivate(), pass).getBytes(StandardCharsets.US_ASCII),
          AtomicFiles.PRIVATE);
      return jca(kp);
    } catch (UnrecoverableKeyException e) {
      throw new AcmeFailure("acme account " + name + ": " + file + " does not open with the passphrase ("
          + e.getMessage() + ")");
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw new AcmeFailure("acme account " + name + ": " + file + ": " + e.getMessage());
    } finally {
      if (pass != null) {
        Arrays.fill(pass, '\0');
      }
    }
  }

  /**
   * The key pair as the JDK's own EC provider holds it: jose4j signs the requests with the JDK's
   * provider, which does not take Bouncy Castle's key objects.
   */
  private static KeyPair jca(KeyPair kp) throws GeneralSecurityException {
    KeyFactory ec = KeyFactory.getInstance("EC");
    return new KeyPair(ec.generatePublic(new java.security.spec.X509EncodedKeySpec(kp.getPublic().getEncoded())),
        ec.generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(kp.getPrivate().getEncoded())));
  }

  /** The public half of an EC P-256 private key. */
  private static PublicKey publicOf(PrivateKey key) throws GeneralSecurityException {
    if (!(key instanceof ECPrivateKey ec)) {
      throw new GeneralSecurityException("an account key is EC P-256, this one is " + key.getAlgorithm());
    }
    ECNamedCurveParameterSpec p256 = ECNamedCurveTable.getParameterSpec("P-256");
    return KeyFactory.getInstance("EC", KeyPairs.provider())
        .generatePublic(new ECPublicKeySpec(p256.getG().multiply(ec.getS()).normalize(), p256));
  }

  /** The JDK's trust anchors, plus the account's {@code ca-files} (a private ACME server). */
  private static SSLContext trust(AcmeConfig.Account account) throws AcmeFailure {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      if (account.caFiles().isEmpty()) {
        ctx.init(null, null, null);
        return ctx;
      }
      KeyStore ts = KeyStore.getInstance(KeyStore.getDefaultType());
      ts.load(null, null);
      TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      jdk.init((KeyStore) null);
      int i = 0;
      for (var tm : jdk.getTrustManagers()) {
        if (tm instanceof X509TrustManager x) {
          for (X509Certificate c : x.getAcceptedIssuers()) {
            ts.setCertificateEntry("jdk-" + i++, c);
          }
        }
      }
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (Path f : account.caFiles()) {
        try (var in = Files.newInputStream(f)) {
          for (var c : cf.generateCertificates(in)) {
            ts.setCertificateEntry("ca-file-" + i++, c);
          }
        } catch (IOException | GeneralSecurityException e) {
          throw new AcmeFailure("acme account " + account.name() + ": ca-files: " + f + ": " + e.getMessage());
        }
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ts);
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new AcmeFailure("acme account " + account.name() + ": cannot set up TLS trust: " + e.getMessage());
    }
  }

  /** acme4j's generic provider, with our TLS trust and a connect timeout. */
  private static final class Provider extends GenericAcmeProvider {
    private final SSLContext ssl;

    Provider(SSLContext ssl) {
      this.ssl = ssl;
    }

    @Override
    public HttpClient createHttpClient(NetworkSettings settings) {
      HttpClient.Builder b = HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NORMAL)
          .connectTimeout(settings.getTimeout())
          .proxy(settings.getProxySelector())
          .sslContext(ssl);
      if (settings.getAuthenticator() != null) {
        b.authenticator(settings.getAuthenticator());
      }
      return b.build();
    }
  }
}
