package io.certkeeper.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@code acme:} — the ACME accounts managed certificates may be issued through
 * ({@code issuer: acme:NAME}).
 *
 * @param passphrase reference to the passphrase that encrypts the account keys in the data
 *     directory; when absent, {@code ca.passphrase}
 * @param accounts the accounts, by unique name
 */
public record AcmeConfig(Optional<SecretRef> passphrase, List<Account> accounts) {
  public AcmeConfig {
    Objects.requireNonNull(passphrase, "passphrase");
    accounts = List.copyOf(accounts);
  }

  /**
   * One account at one ACME server.
   *
   * @param name what certificates name it by ({@code issuer: acme:NAME}); also its folder under
   *     {@code <data-dir>/acme/}
   * @param directory the server's directory URL (https)
   * @param contact e-mail addresses the server may write to
   * @param agreeTos whether the server's terms of service are agreed to (required to create the account)
   * @param caFiles trust anchors for the server's HTTPS, besides the JDK's (a private ACME server)
   * @param eab External Account Binding, when the server requires it
   */
  public record Account(String name, URI directory, List<String> contact, boolean agreeTos, List<Path> caFiles,
      Optional<ExternalAccountBinding> eab) {
    public Account {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(directory, "directory");
      contact = List.copyOf(contact);
      caFiles = List.copyOf(caFiles);
      Objects.requireNonNull(eab, "eab");
    }
  }

  /**
   * @param keyId the key identifier the CA gave
   * @param hmacKey reference to the base64url HMAC key the CA gave
   */
  public record ExternalAccountBinding(String keyId, SecretRef hmacKey) {}

  /** No accounts. */
  public static AcmeConfig defaults() {
    return new AcmeConfig(Optional.empty(), List.of());
  }

  /** The account named {@code name}. */
  public Optional<Account> account(String name) {
    return accounts.stream().filter(a -> a.name().equals(name)).findFirst();
  }

  static AcmeConfig read(ConfigNode n, Path baseDir) throws ConfigException {
    n.allowOnly("passphrase", "accounts");
    Set<String> names = new HashSet<>();
    List<Account> accounts = n.list("accounts", item -> {
      Account a = readAccount(item, baseDir);
      if (!names.add(a.name())) {
        throw item.require("name").error("account name '" + a.name() + "' is used twice");
      }
      return a;
    });
    return new AcmeConfig(n.secret("passphrase"), accounts);
  }

  private static Account readAccount(ConfigNode n, Path baseDir) throws ConfigException {
    n.allowOnly("name", "directory", "contact", "agree-tos", "ca-files", "eab");
    String name = n.requireString("name");
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
      throw n.require("name").error("a name is letters, digits, '.', '_' and '-' (got '" + name + "')");
    }
    URI directory = n.require("directory").as(s -> {
      URI u = URI.create(s.trim());
      if (!"https".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
        throw new IllegalArgumentException("an ACME directory is an https:// URL, got '" + s + "'");
      }
      return u;
    });
    List<String> contact = n.list("contact", item -> {
      String s = item.asString().trim();
      if (!s.matches("[^@\\s:]+@[^@\\s]+")) {
        throw item.error("a contact is an e-mail address, got '" + s + "'");
      }
      return s;
    });
    List<Path> caFiles = n.list("ca-files", item -> baseDir.resolve(item.asPath()).normalize());
    Optional<ExternalAccountBinding> eab = Optional.empty();
    if (n.get("eab").isPresent()) {
      ConfigNode e = n.section("eab");
      e.allowOnly("key-id", "hmac-key");
      eab = Optional.of(new ExternalAccountBinding(e.requireString("key-id"), e.require("hmac-key").asSecret()));
    }
    return new Account(name, directory, contact, n.bool("agree-tos", false), caFiles, eab);
  }
}
