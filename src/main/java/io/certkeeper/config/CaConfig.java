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
 * @param ocspUrl when set, issued leaves name it as their OCSP responder (authority information access)
 * @param issuerUrl when set, issued leaves name it as where their issuer's certificate is (caIssuers)
 * @param ocsp how the OCSP responder ({@code role: ocsp} listeners) signs
 */
public record CaConfig(
    Optional<SecretRef> passphrase,
    Optional<String> crlUrl,
    Duration crlValidity,
    Duration validity,
    KeyType keyType,
    Policy policy,
    Optional<String> ocspUrl,
    Optional<String> issuerUrl,
    Ocsp ocsp) {

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

  /**
   * {@code ca.ocsp:} — the OCSP responder of the local CA.
   *
   * @param validity time from a response's thisUpdate to its nextUpdate (default 1d); responses are
   *     signed again once half of it has passed
   * @param signerValidity validity of the delegated OCSP signing certificate the CA issues (default
   *     30d); renewed when a third of it is left
   * @param signOnDemand sign a response per request and echo the request's nonce (default false:
   *     pre-signed responses, nonces ignored as RFC 5019 allows)
   * @param rateLimit signatures per second made on request (nonces, unknown serials); past it a
   *     nonce is answered with the pre-signed response, an unknown serial with tryLater
   */
  public record Ocsp(Duration validity, Duration signerValidity, boolean signOnDemand, int rateLimit) {
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(1);
    public static final Duration DEFAULT_SIGNER_VALIDITY = Duration.ofDays(30);
    public static final int DEFAULT_RATE_LIMIT = 50;
    /** Relying parties (certkeeper's prober too) distrust responses without a nextUpdate closer than this. */
    static final Duration MAX_VALIDITY = Duration.ofDays(7);

    public Ocsp {
      java.util.Objects.requireNonNull(validity, "validity");
      java.util.Objects.requireNonNull(signerValidity, "signerValidity");
      if (rateLimit < 1) {
        throw new IllegalArgumentException("rateLimit must be positive, got " + rateLimit);
      }
    }

    public static Ocsp defaults() {
      return new Ocsp(DEFAULT_VALIDITY, DEFAULT_SIGNER_VALIDITY, false, DEFAULT_RATE_LIMIT);
    }

    static Ocsp read(ConfigNode n) throws ConfigException {
      n.allowOnly("validity", "signer-validity", "sign-on-demand", "rate-limit");
      Duration validity = n.duration("validity", DEFAULT_VALIDITY);
      if (validity.compareTo(Duration.ofMinutes(10)) < 0 || validity.compareTo(MAX_VALIDITY) > 0) {
        throw n.require("validity").error("must be between 10m and 7d");
      }
      Duration signer = n.duration("signer-validity", DEFAULT_SIGNER_VALIDITY);
      if (signer.compareTo(Duration.ofDays(1)) < 0) {
        throw n.require("signer-validity").error("must be at least 1d");
      }
      if (validity.multipliedBy(3).compareTo(signer) > 0) {
        // the signer is renewed when a third is left: every response it signed must end before it does
        throw (n.get("validity").isPresent() ? n.require("validity") : n.require("signer-validity"))
            .error("ca.ocsp.validity must be at most a third of ca.ocsp.signer-validity");
      }
      return new Ocsp(validity, signer, n.bool("sign-on-demand", false),
          n.integer("rate-limit", 1, 100_000, DEFAULT_RATE_LIMIT));
    }
  }

  static CaConfig read(ConfigNode n) throws ConfigException {
    n.allowOnly("passphrase", "crl-url", "crl-validity", "validity", "key-type", "policy", "ocsp-url", "issuer-url",
        "ocsp");
    Optional<String> crlUrl = n.string("crl-url");
    if (crlUrl.isPresent()) {
      checkUrl(n.require("crl-url"), crlUrl.get());
    }
    Optional<String> ocspUrl = n.string("ocsp-url");
    if (ocspUrl.isPresent()) {
      checkHttpUrl(n.require("ocsp-url"), ocspUrl.get());
    }
    Optional<String> issuerUrl = n.string("issuer-url");
    if (issuerUrl.isPresent()) {
      checkHttpUrl(n.require("issuer-url"), issuerUrl.get());
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
    return new CaConfig(n.secret("passphrase"), crlUrl, crlValidity, validity, keyType, policy, ocspUrl, issuerUrl,
        Ocsp.read(n.section("ocsp")));
  }

  /** OCSP and caIssuers URLs are plain http (RFC 5019, RFC 5280 4.2.2.1): a relying party checks them before it trusts TLS. */
  private static void checkHttpUrl(ConfigNode node, String url) throws ConfigException {
    try {
      URI u = new URI(url);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") || u.getHost() == null || u.getRawQuery() != null || u.getRawFragment() != null) {
        throw node.error("expected an absolute http: URL without query or fragment, got '" + url + "'");
      }
    } catch (URISyntaxException e) {
      throw node.error("not a valid URL: " + e.getReason());
    }
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
        Policy.defaults(), Optional.empty(), Optional.empty(), Ocsp.defaults());
  }
}
