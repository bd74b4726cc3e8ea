package io.certkeeper.cli;

import io.certkeeper.ca.CaException;
import io.certkeeper.ca.CaPolicy;
import io.certkeeper.ca.CrlPublisher;
import io.certkeeper.ca.Issuer;
import io.certkeeper.ca.LocalCa;
import io.certkeeper.config.CaConfig;
import io.certkeeper.config.ConfigException;
import io.certkeeper.config.SecretRef;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.util.Durations;
import io.certkeeper.x509.KeyType;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What the CA commands share: where the CA lives, its passphrase, and the mapping of the {@code
 * ca:} configuration onto the CA's own policy.
 */
final class CaContext {
  /** The CA's directory under the data directory. */
  static final String CA_DIR = "ca";

  private final CertkeeperCommand root;

  CaContext(CertkeeperCommand root) {
    this.root = root;
  }

  CaConfig config() throws ConfigException {
    return root.config().ca();
  }

  Path caDir() throws ConfigException {
    return root.dataDir().resolve(CA_DIR);
  }

  /**
   * The CA passphrase: from {@code passphraseFile} when given, else from {@code ca.passphrase}.
   * Never printed; the caller clears it when done.
   */
  char[] passphrase(Path passphraseFile) throws ConfigException {
    SecretRef ref;
    String where;
    if (passphraseFile != null) {
      ref = SecretRef.parse("file:" + passphraseFile, root.env());
      where = "--passphrase-file";
    } else if (config().passphrase().isPresent()) {
      // Re-read against this invocation's environment (tests and the daemon pass their own).
      ref = SecretRef.parse(config().passphrase().get().toString(), root.env());
      where = "ca.passphrase";
    } else {
      throw CliException.usage("no CA passphrase: set ca.passphrase in the configuration"
          + " (file:/path, env:NAME or credential:NAME) or give --passphrase-file");
    }
    try {
      return ref.resolve();
    } catch (IOException e) {
      throw CliException.usage(where + ": " + e.getMessage());
    }
  }

  /** The loaded CA, or a one-line error (no CA, wrong passphrase, damaged files). */
  LocalCa load(Path passphraseFile) throws ConfigException {
    Path dir = caDir();
    // Fail on a missing CA before asking for a passphrase that may not be configured either.
    LocalCa ca;
    try {
      LocalCa.readCertificates(dir);
      char[] pass = passphrase(passphraseFile);
      try {
        ca = LocalCa.load(dir, pass);
      } finally {
        java.util.Arrays.fill(pass, '\0');
      }
    } catch (CaException e) {
      throw fail(e);
    }
    return ca;
  }

  /** The configured policy, each allowed-names pattern checked with its file and line. */
  CaPolicy policy() throws ConfigException {
    return io.certkeeper.renew.CaPolicies.of(config());
  }

  Issuer issuer(LocalCa ca, IssuedCertificateRepository repo) throws ConfigException {
    return Issuer.forCa(ca, policy(), repo, root.clock(), io.certkeeper.ca.LeafUrls.of(config()));
  }

  CrlPublisher crlPublisher(LocalCa ca, IssuedCertificateRepository repo) throws ConfigException {
    return CrlPublisher.forCa(ca, repo, root.clock(), config().crlValidity());
  }

  static CliException fail(CaException e) {
    return new CliException(ExitCodes.USAGE, e.getMessage(), e);
  }

  static Duration duration(String option, String text) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw CliException.usage(option + ": " + e.getMessage());
    }
  }

  static KeyType keyType(String option, String text) {
    try {
      return KeyType.parse(text);
    } catch (IllegalArgumentException e) {
      throw CliException.usage(option + ": " + e.getMessage());
    }
  }
}
