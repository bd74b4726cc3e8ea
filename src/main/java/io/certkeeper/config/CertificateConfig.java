package io.certkeeper.config;

import io.certkeeper.x509.KeyType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code certificates:} — one managed certificate: issued by the local CA, renewed before it
 * expires, written to its outputs, announced to its hooks.
 *
 * @param name unique name: the folder under {@code <data-dir>/managed/}, and what listeners name
 *     with {@code certificate: {managed: NAME}}
 * @param commonName the subject CN (always also a SAN)
 * @param sans further names as {@code dns:X}, {@code ip:X}, {@code email:X} or {@code uri:X}
 * @param keyType key type code (default {@code ca.key-type})
 * @param validity lifetime of each certificate (default {@code ca.validity})
 * @param profile {@code server} (default), {@code client} or {@code server-client}
 * @param renewAt renew when this fraction of the lifetime has passed ({@code renew-at: 60%});
 *     exclusive with {@code renewBefore}; when both are absent {@link #DEFAULT_RENEW_AT} applies
 * @param renewBefore renew this long before notAfter ({@code renew-before: 30d})
 * @param key {@code key: reuse} keeps the key across renewals; {@code key: rotate} (default)
 *     makes a new key each time
 * @param outputs files to write after each renewal
 * @param hooks commands to run after each renewal
 * @param owners who is alerted about this certificate (default {@code alerts.recipients})
 * @param acme when set ({@code issuer: acme:ACCOUNT}), it comes from that ACME account instead of
 *     the local CA
 * @param nodes the nodes of a fleet that hold it ({@code nodes:}); empty for every node whose
 *     configuration declares it
 */
public record CertificateConfig(
    String name,
    String commonName,
    List<String> sans,
    Optional<KeyType> keyType,
    Optional<Duration> validity,
    LeafProfile profile,
    Optional<Double> renewAt,
    Optional<Duration> renewBefore,
    KeyOnRenewal key,
    List<Output> outputs,
    List<Hook> hooks,
    List<String> owners,
    Optional<Acme> acme,
    List<String> nodes) {

  /**
   * Renew when two thirds of the lifetime have passed (when neither {@code renew-at} nor {@code
   * renew-before} is set): leaves a third for retries and alerts. The one source of this default:
   * the renewal policy, the metrics, {@code explain}, the sample configuration and README say it.
   */
  public static final double DEFAULT_RENEW_AT = 2.0 / 3.0;
  /** {@link #DEFAULT_RENEW_AT} as {@code explain} and the documentation word it. */
  public static final String DEFAULT_RENEW_AT_TEXT = "two thirds";

  /** A hook that runs longer is killed and recorded as failed. */
  public static final Duration DEFAULT_HOOK_TIMEOUT = Duration.ofSeconds(60);
  static final Duration MAX_HOOK_TIMEOUT = Duration.ofHours(1);

  public CertificateConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(key, "key");
    sans = List.copyOf(sans);
    outputs = List.copyOf(outputs);
    hooks = List.copyOf(hooks);
    owners = List.copyOf(owners);
    Objects.requireNonNull(acme, "acme");
    nodes = List.copyOf(nodes);
  }

  /**
   * Issuance through ACME.
   *
   * @param account the {@code acme.accounts[].name}
   * @param challenge how the server checks the names (default {@code http-01})
   * @param dnsSet dns-01: the command that publishes the TXT record (required for dns-01)
   * @param dnsClear dns-01: the command that removes it once the authorization is settled
   * @param webroot http-01: the document root of the web server on port 80, where the answers are
   *     written (under {@code .well-known/acme-challenge/}) instead of served by an acme-http listener
   */
  public record Acme(String account, AcmeChallenge challenge, Optional<Hook> dnsSet, Optional<Hook> dnsClear,
      Optional<Path> webroot) {
    public Acme {
      Objects.requireNonNull(account, "account");
      Objects.requireNonNull(challenge, "challenge");
      Objects.requireNonNull(dnsSet, "dnsSet");
      Objects.requireNonNull(dnsClear, "dnsClear");
      Objects.requireNonNull(webroot, "webroot");
    }

    /** http-01 or tls-alpn-01, which need no commands. */
    public Acme(String account, AcmeChallenge challenge) {
      this(account, challenge, Optional.empty(), Optional.empty(), Optional.empty());
    }
  }

  /**
   * One output file.
   *
   * @param type {@code key}, {@code cert}, {@code chain}, {@code fullchain} or {@code pkcs12}
   * @param path where to write it (absolute, or relative to the configuration file)
   * @param owner user name to chown to (certkeeper must run as root to give files away)
   * @param group group name to chown to
   * @param mode permission bits; default 0600 for {@code key} and {@code pkcs12}, 0644 else
   * @param password the PKCS#12 password (a secret reference; required for {@code pkcs12})
   */
  public record Output(OutputType type, Path path, Optional<String> owner, Optional<String> group, int mode,
      Optional<SecretRef> password) {
    public Output {
      Objects.requireNonNull(type, "type");
    }

    /** Whether the file holds the private key. */
    public boolean secret() {
      return type.secret();
    }
  }

  /**
   * One deploy hook.
   *
   * @param command the argv, passed to the program as is (never split on spaces, no shell)
   * @param timeout the hook is killed after this long and recorded as failed
   * @param env extra environment variables, besides the {@code CERTKEEPER_*} ones
   */
  public record Hook(List<String> command, Duration timeout, Map<String, String> env) {
    public Hook {
      command = List.copyOf(command);
      env = Map.copyOf(env);
    }
  }

  /**
   * Every entry of {@code certificates:}, each checked; {@code node}'s names must be unique (two
   * entries of one name may be held by different nodes).
   */
  static List<CertificateConfig> readAll(ConfigNode root, Path baseDir, String node) throws ConfigException {
    List<CertificateConfig> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigNode n : root.list("certificates")) {
      CertificateConfig c = read(n, baseDir);
      if (c.heldBy(node) && !names.add(c.name())) {
        throw n.require("name").error("certificate name '" + c.name() + "' is used twice"
            + (c.nodes().isEmpty() ? "" : " on node " + node));
      }
      out.add(c);
    }
    return out;
  }

  /** Whether {@code node} holds this certificate ({@link #nodes}). */
  public boolean heldBy(String node) {
    return NodeName.holds(nodes, node);
  }

  static CertificateConfig read(ConfigNode n, Path baseDir) throws ConfigException {
    n.allowOnly("name", "common-name", "sans", "key-type", "validity", "profile", "renew-at", "renew-before", "key",
        "outputs", "hooks", "owners", "nodes", "issuer", "challenge", "dns-set", "dns-clear", "webroot");
    String name = n.requireString("name");
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
      throw n.require("name").error("a name is letters, digits, '.', '_' and '-' (got '" + name + "')");
    }
    String cn = n.requireString("common-name").trim();
    if (cn.isEmpty() || cn.length() > 64) {
      throw n.require("common-name").error("must be 1 to 64 characters");
    }
    List<String> sans = n.list("sans", item -> {
      String s = item.asString().trim();
      if (!s.matches("(?i)(dns|ip|email|uri):.+")) {
        throw item.error("'" + s + "' is not a SAN (expected dns:NAME, ip:ADDR, email:ADDR or uri:URI)");
      }
      return s;
    });
    Optional<KeyType> keyType = n.choice("key-type", KeyType.class);
    Optional<Duration> validity = n.duration("validity");
    if (validity.isPresent() && (validity.get().isZero() || validity.get().isNegative())) {
      throw n.require("validity").error("must be positive");
    }
    LeafProfile profile = n.choice("profile", LeafProfile.class).orElse(LeafProfile.DEFAULT);
    Optional<Double> renewAt = n.get("renew-at").isEmpty() ? Optional.empty() : Optional.of(fraction(n.require("renew-at")));
    Optional<Duration> renewBefore = n.duration("renew-before");
    if (renewAt.isPresent() && renewBefore.isPresent()) {
      throw n.require("renew-before").error("give renew-at or renew-before, not both");
    }
    if (renewBefore.isPresent() && (renewBefore.get().isZero() || renewBefore.get().isNegative())) {
      throw n.require("renew-before").error("must be positive");
    }
    if (renewBefore.isPresent() && validity.isPresent() && renewBefore.get().compareTo(validity.get()) >= 0) {
      throw n.require("renew-before").error("must be shorter than the validity (" + n.require("validity").asString() + ")");
    }
    KeyOnRenewal key = n.choice("key", KeyOnRenewal.class).orElse(KeyOnRenewal.DEFAULT);
    Optional<Acme> acme = readAcme(n, sans, validity, profile, baseDir);
    List<Output> outputs = n.list("outputs", item -> readOutput(item, baseDir));
    Set<Path> paths = new HashSet<>();
    for (int i = 0; i < outputs.size(); i++) {
      if (!paths.add(outputs.get(i).path())) {
        throw n.list("outputs").get(i).error("path " + outputs.get(i).path() + " is written twice");
      }
    }
    List<Hook> hooks = n.list("hooks", CertificateConfig::readHook);
    List<String> owners = n.list("owners", item -> {
      String s = item.asString();
      if (!s.contains("@")) {
        throw item.error("an owner is an e-mail address, got '" + s + "'");
      }
      return s;
    });
    return new CertificateConfig(name, cn, sans, keyType, validity, profile, renewAt, renewBefore, key, outputs,
        hooks, owners, acme, NodeName.readNodes(n));
  }

  /** {@code issuer:} and {@code challenge:}; the account's existence is checked by {@link Config}. */
  private static Optional<Acme> readAcme(ConfigNode n, List<String> sans, Optional<Duration> validity,
      LeafProfile profile, Path baseDir) throws ConfigException {
    String issuer = n.string("issuer", "local").trim();
    if (issuer.equals("local")) {
      for (String key : new String[] {"challenge", "dns-set", "dns-clear", "webroot"}) {
        if (n.get(key).isPresent()) {
          throw n.require(key).error("only certificates with issuer: acme:ACCOUNT have " + key);
        }
      }
      return Optional.empty();
    }
    if (!issuer.matches("acme:[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
      throw n.require("issuer").error("expected local or acme:ACCOUNT, got '" + issuer + "'");
    }
    AcmeChallenge challenge = n.choice("challenge", AcmeChallenge.class).orElse(AcmeChallenge.HTTP_01);
    if (validity.isPresent()) {
      throw n.require("validity").error("the ACME server decides the validity; leave validity out");
    }
    if (profile != LeafProfile.DEFAULT) {
      throw n.require("profile").error("ACME certificates are server certificates; leave profile out");
    }
    for (int i = 0; i < sans.size(); i++) {
      if (!sans.get(i).regionMatches(true, 0, "dns:", 0, 4)) {
        throw n.list("sans").get(i).error("an ACME certificate names DNS names only (dns:NAME), got '" + sans.get(i) + "'");
      }
      if (sans.get(i).contains("*") && challenge != AcmeChallenge.DNS_01) {
        throw n.list("sans").get(i).error("a wildcard name is validated by dns-01 only (challenge: dns-01)");
      }
    }
    if (n.requireString("common-name").contains("*") && challenge != AcmeChallenge.DNS_01) {
      throw n.require("common-name").error("a wildcard name is validated by dns-01 only (challenge: dns-01)");
    }
    Optional<Hook> dnsSet = n.get("dns-set").isPresent() ? Optional.of(readHook(n.section("dns-set"))) : Optional.empty();
    Optional<Hook> dnsClear = n.get("dns-clear").isPresent() ? Optional.of(readHook(n.section("dns-clear")))
        : Optional.empty();
    if (challenge == AcmeChallenge.DNS_01 && dnsSet.isEmpty()) {
      throw n.error("challenge: dns-01 needs dns-set: the command that publishes the TXT record");
    }
    if (challenge != AcmeChallenge.DNS_01) {
      for (String key : new String[] {"dns-set", "dns-clear"}) {
        if (n.get(key).isPresent()) {
          throw n.require(key).error("only challenge: dns-01 has " + key);
        }
      }
    }
    Optional<Path> webroot = Optional.empty();
    if (n.get("webroot").isPresent()) {
      if (challenge != AcmeChallenge.HTTP_01) {
        throw n.require("webroot").error("only challenge: http-01 has webroot");
      }
      webroot = Optional.of(baseDir.resolve(n.require("webroot").asPath()).normalize());
    }
    return Optional.of(new Acme(issuer.substring("acme:".length()), challenge, dnsSet, dnsClear, webroot));
  }

  /** {@code 60%} or a number between 0 and 1 exclusive. */
  private static double fraction(ConfigNode node) throws ConfigException {
    String s = node.asString().trim();
    double v;
    try {
      v = s.endsWith("%") ? Double.parseDouble(s.substring(0, s.length() - 1).trim()) / 100.0 : Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw node.error("expected a percentage of the lifetime such as 60%, got '" + s + "'");
    }
    if (!(v >= 0.01 && v <= 0.99)) {
      throw node.error("must be between 1% and 99% of the lifetime, got '" + s + "'");
    }
    return v;
  }

  private static Output readOutput(ConfigNode n, Path baseDir) throws ConfigException {
    n.allowOnly("type", "path", "owner", "group", "mode", "password");
    OutputType type = n.require("type").asEnum(OutputType.class);
    Path path = baseDir.resolve(n.require("path").asPath()).normalize();
    Optional<String> owner = n.string("owner");
    Optional<String> group = n.string("group");
    int mode = n.get("mode").isEmpty() ? (type.secret() ? 0600 : 0644) : mode(n.require("mode"));
    if (type.secret() && (mode & 0007) != 0) {
      throw n.require("mode").error("a " + type.code() + " file must not be readable by others (got " + octal(mode)
          + ")");
    }
    Optional<SecretRef> password = n.secret("password");
    boolean pkcs12 = type == OutputType.PKCS12;
    if (pkcs12 && password.isEmpty()) {
      throw n.error("a pkcs12 output needs 'password' (a secret reference: file:, env: or credential:)");
    }
    if (!pkcs12 && password.isPresent()) {
      throw n.require("password").error("only pkcs12 outputs have a password");
    }
    return new Output(type, path, owner, group, mode, password);
  }

  /**
   * The digits as written, read as octal: {@code mode: "0640"} and {@code mode: 0640} mean the same
   * (the loader keeps the text of a YAML number, so an unquoted 0640 is never taken for 416).
   */
  static int mode(ConfigNode node) throws ConfigException {
    String s = node.asString().trim();
    if (!s.matches("0?[0-7]{3}")) {
      throw node.error("expected octal permission bits such as \"0640\", got '" + s + "'");
    }
    return Integer.parseInt(s, 8);
  }

  static String octal(int mode) {
    return String.format(java.util.Locale.ROOT, "%04o", mode);
  }

  private static Hook readHook(ConfigNode n) throws ConfigException {
    n.allowOnly("command", "timeout", "env");
    ConfigNode cmd = n.require("command");
    if (cmd.kind() != ConfigNode.Kind.LIST) {
      throw cmd.error("a command is a list of arguments, e.g. [systemctl, reload, nginx]; it is never split on spaces");
    }
    List<String> argv = n.list("command", ConfigNode::asString);
    if (argv.isEmpty() || argv.get(0).isBlank()) {
      throw cmd.error("a command needs at least the program");
    }
    Duration timeout = n.duration("timeout", DEFAULT_HOOK_TIMEOUT);
    if (timeout.isZero() || timeout.isNegative() || timeout.compareTo(MAX_HOOK_TIMEOUT) > 0) {
      throw n.require("timeout").error("must be between 1ms and 1h");
    }
    Map<String, String> env = new TreeMap<>();
    ConfigNode e = n.section("env");
    for (String k : e.keys()) {
      if (!k.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw e.require(k).error("an environment variable name is letters, digits and '_' (got '" + k + "')");
      }
      if (k.startsWith("CERTKEEPER_")) {
        throw e.require(k).error("CERTKEEPER_* variables are set by certkeeper");
      }
      env.put(k, e.requireString(k));
    }
    return new Hook(argv, timeout, env);
  }
}
