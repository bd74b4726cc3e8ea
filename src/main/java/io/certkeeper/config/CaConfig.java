package io.certkeeper.config;

import io.certkeeper.x509.KeyType;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code ca:} — the local CA.
 *
 * @param passphrase reference to the passphrase that encrypts the CA keys (required by every
 *     command that signs)
 * @param crlUrl when set, issued certificates name it as their CRL distribution point
 * @param crlValidity time from a CRL's thisUpdate to its nextUpdate (default 7d)
 * @param validity default leaf validity (default 90d)
 * @param keyType default leaf key type (default ec-p256)
 * @param policy what the CA agrees to sign
 */
public record CaConfig(
    Optional<SecretRef> passphrase,
    Optional<String> crlUrl,
    Duration crlValidity,
    Duration validity,
    KeyType keyType,
    Policy policy) {

  public static final Duration DEFAULT_CRL_VALIDITY = Duration.ofDays(7);
  public static final Duration DEFAULT_VALIDITY = Duration.ofDays(90);
  /** 398 days, the CA/Browser Forum's limit for TLS server certificates. */
  public static final Duration DEFAULT_MAX_VALIDITY = Duration.ofDays(398);

  /**
   * {@code ca.policy:}.
   *
   * @param maxValidity the longest leaf validity (default 398d)
   * @param keyTypes the leaf key types allowed (default: all)
   * @param allowedNames SAN patterns a leaf may carry (default: any name); checked by the CA
   * @param allowedNameLocations {@code file:line} of each pattern, for error messages
   */
  public record Policy(Duration maxValidity, List<KeyType> keyTypes, List<String> allowedNames,
      List<String> allowedNameLocations) {
    public Policy {
      keyTypes = List.copyOf(keyTypes);
      allowedNames = List.copyOf(allowedNames);
      allowedNameLocations = List.copyOf(allowedNameLocations);
    }

    static Policy read(ConfigNode n) throws ConfigException {
      n.allowOnly("max-validity", "key-types", "allowed-names");
      Duration max = n.duration("max-validity", DEFAULT_MAX_VALIDITY);
      if (max.isZero() || max.isNegative()) {
        throw n.require("max-validity").error("must be positive");
      }
      List<KeyType> types = n.list("key-types", item -> item.asEnum(KeyType.class));
      if (n.get("key-types").isPresent() && types.isEmpty()) {
        throw n.require("key-types").error("allow at least one key type (or remove the key for all)");
      }
      List<String> names = new ArrayList<>();
      List<String> where = new ArrayList<>();
      for (ConfigNode item : n.list("allowed-names")) {
        String s = item.asString().trim();
        if (s.isEmpty()) {
          throw item.error("empty name pattern");
        }
        names.add(s);
        where.add(item.location() + ": " + item.path());
      }
      return new Policy(max, types.isEmpty() ? List.of(KeyType.values()) : types, names, where);
    }

    static Policy defaults() {
      return new Policy(DEFAULT_MAX_VALIDITY, List.of(KeyType.values()), List.of(), List.of());
    }
  }

  static CaConfig read(ConfigNode n) throws ConfigException {
    n.allowOnly("passphrase", "crl-url", "crl-validity", "validity", "key-type", "policy");
    Optional<String> crlUrl = n.string("crl-url");
    if (crlUrl.isPresent()) {
      checkUrl(n.require("crl-url"), crlUrl.get());
    }
    Duration crlValidity = n.duration("crl-validity", DEFAULT_CRL_VALIDITY);
    if (crlValidity.compareTo(Duration.ofHours(1)) < 0) {
      throw n.require("crl-validity").error("must be at least 1h");
    }
    Duration validity = n.duration("validity", DEFAULT_VALIDITY);
    if (validity.isZero() || validity.isNegative()) {
      throw n.require("validity").error("must be positive");
    }
    KeyType keyType = n.choice("key-type", KeyType.class).orElse(KeyType.DEFAULT);
    Policy policy = Policy.read(n.section("policy"));
    if (validity.compareTo(policy.maxValidity()) > 0) {
      throw n.require("validity").error("exceeds ca.policy.max-validity");
    }
    if (!policy.keyTypes().contains(keyType)) {
      throw (n.get("key-type").isPresent() ? n.require("key-type") : n.section("policy").require("key-types"))
          .error("the default key type " + keyType.code() + " is not in ca.policy.key-types");
    }
    return new CaConfig(n.secret("passphrase"), crlUrl, crlValidity, validity, keyType, policy);
  }

  private static void checkUrl(ConfigNode node, String url) throws ConfigException {
    try {
      URI u = new URI(url);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https") || scheme.equals("ldap")) || u.getHost() == null) {
        throw node.error("expected an absolute http:, https: or ldap: URL, got '" + url + "'");
      }
    } catch (URISyntaxException e) {
      throw node.error("not a valid URL: " + e.getReason());
    }
  }

  public static CaConfig defaults() {
    return new CaConfig(Optional.empty(), Optional.empty(), DEFAULT_CRL_VALIDITY, DEFAULT_VALIDITY, KeyType.DEFAULT,
        Policy.defaults());
  }
}
