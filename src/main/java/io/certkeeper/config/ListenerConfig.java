package io.certkeeper.config;

import io.certkeeper.util.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code listeners:} — one of the daemon's own TLS listeners.
 *
 * @param name unique name, used in logs, metrics and the store
 * @param bind address and port to listen on (default address 127.0.0.1)
 * @param role {@code echo} (echoes bytes back; handy for checks), {@code proxy} (TLS termination to
 *     a plain TCP {@code backend}), {@code admin} (the HTTPS admin API), or one of the plain-HTTP roles
 *     without a certificate: {@code acme-http}, {@code ocsp}, {@code pki}
 * @param backend where {@code proxy} forwards to
 * @param certificate where the key and certificate come from
 * @param tls protocol and client-authentication settings
 * @param auth who may use an admin listener
 * @param limits how many connections, and how long an admin request may take to arrive
 */
public record ListenerConfig(String name, HostPort bind, ListenerRole role, Optional<HostPort> backend,
    CertificateSource certificate, TlsSettings tls, AdminAuth auth, Limits limits, boolean redirectToHttps,
    List<String> nodes) {

  public ListenerConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(limits, "limits");
    nodes = List.copyOf(nodes);
  }

  /** Whether {@code node} runs this listener ({@code nodes:}; empty for every node that declares it). */
  public boolean heldBy(String node) {
    return NodeName.holds(nodes, node);
  }

  /**
   * {@code limits:} — what one listener accepts.
   *
   * @param maxConnections connections open at once (any role); one more is closed at once
   * @param requestTimeout admin and plain HTTP only: a whole request (line, headers, body) must arrive within this
   *     time, however the bytes trickle in; else 408 and the connection closes
   * @param idleTimeout admin and plain HTTP only: a kept-alive connection with no request under way closes after this
   */
  public record Limits(int maxConnections, Duration requestTimeout, Duration idleTimeout) {
    public static final int DEFAULT_MAX_CONNECTIONS = 64;
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

    public static Limits defaults() {
      return new Limits(DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT, DEFAULT_IDLE_TIMEOUT);
    }

    static Limits read(ConfigNode n, ListenerRole role) throws ConfigException {
      n.allowOnly("max-connections", "request-timeout", "idle-timeout");
      for (String key : new String[] {"request-timeout", "idle-timeout"}) {
        if (role != ListenerRole.ADMIN && !role.isPlainHttp() && n.get(key).isPresent()) {
          throw n.require(key).error("only admin and plain-HTTP (acme-http, ocsp, pki) listeners have '" + key + "'");
        }
      }
      return new Limits(n.integer("max-connections", 1, 100_000, DEFAULT_MAX_CONNECTIONS),
          atLeastOneSecond(n, "request-timeout", DEFAULT_REQUEST_TIMEOUT),
          atLeastOneSecond(n, "idle-timeout", DEFAULT_IDLE_TIMEOUT));
    }

    private static Duration atLeastOneSecond(ConfigNode n, String key, Duration def) throws ConfigException {
      Duration d = n.duration(key, def);
      if (d.compareTo(Duration.ofSeconds(1)) < 0) {
        throw n.require(key).error("must be at least 1s");
      }
      return d;
    }
  }

  /**
   * Where a listener's key and certificate chain come from: a managed certificate by name, PEM
   * files, or a keystore. Exactly one kind is set.
   *
   * @param managed the name of a managed certificate ({@code certificates:})
   * @param certFile PEM: the certificate followed by its chain
   * @param keyFile PEM: the private key (PKCS#8 or PKCS#1/SEC1)
   * @param keystore a PKCS#12 or JKS file
   * @param keystorePassword reference to the keystore's password
   * @param keystoreType {@code pkcs12} (default) or {@code jks}
   */
  public record CertificateSource(Optional<String> managed, Optional<Path> certFile, Optional<Path> keyFile,
      Optional<Path> keystore, Optional<SecretRef> keystorePassword, KeystoreType keystoreType) {
    public CertificateSource {
      Objects.requireNonNull(keystoreType, "keystoreType");
    }

    /** No certificate: an {@code acme-http} listener's. */
    public static final CertificateSource NONE = new CertificateSource(Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), KeystoreType.PKCS12);

    /** Whether this is {@link #NONE}. */
    public boolean isNone() {
      return equals(NONE);
    }
  }

  /**
   * @param protocols enabled protocol versions (default TLSv1.3 and TLSv1.2)
   * @param ciphers enabled cipher suites (default: the TLS implementation's secure defaults)
   * @param clientAuth {@code none}, {@code optional} or {@code require}
   * @param clientCaFiles trust anchors for client certificates
   * @param crlFiles CRLs (DER or PEM) client certificates are checked against, besides the local
   *     CA's own CRL; each must be signed by a client CA
   */
  public record TlsSettings(List<TlsProtocol> protocols, List<String> ciphers, ClientAuthMode clientAuth,
      List<Path> clientCaFiles, List<Path> crlFiles) {
    /** The protocols when none are configured. */
    public static final List<TlsProtocol> DEFAULT_PROTOCOLS = List.of(TlsProtocol.TLS_1_3, TlsProtocol.TLS_1_2);

    public TlsSettings {
      protocols = List.copyOf(protocols);
      Objects.requireNonNull(clientAuth, "clientAuth");
      ciphers = List.copyOf(ciphers);
      clientCaFiles = List.copyOf(clientCaFiles);
      crlFiles = List.copyOf(crlFiles);
    }
  }

  /**
   * Who may use an admin listener: clients presenting a certificate that chains to the
   * listener's {@code client-ca-files} (mTLS), or requests with {@code Authorization: Bearer}
   * and this token. {@code /healthz} and {@code /readyz} are always open; {@code /metrics} too
   * when {@code metricsPublic}.
   *
   * @param token reference to the bearer token
   */
  public record AdminAuth(Optional<SecretRef> token, boolean metricsPublic) {
    static AdminAuth none() {
      return new AdminAuth(Optional.empty(), false);
    }
  }

  /** Every entry of {@code listeners:}, each checked; {@code node}'s names and binds must be unique. */
  static List<ListenerConfig> readAll(ConfigNode root, Path baseDir, String node) throws ConfigException {
    List<ListenerConfig> out = new java.util.ArrayList<>();
    java.util.Set<String> names = new java.util.HashSet<>();
    java.util.Set<String> binds = new java.util.HashSet<>();
    for (ConfigNode n : root.list("listeners")) {
      ListenerConfig l = read(n, baseDir);
      if (!l.heldBy(node)) {
        out.add(l);
        continue;
      }
      if (!names.add(l.name())) {
        throw n.error("listener name '" + l.name() + "' is used twice");
      }
      if (!binds.add(l.bind().toString())) {
        throw n.error("two listeners bind " + l.bind());
      }
      out.add(l);
    }
    return out;
  }

  static ListenerConfig read(ConfigNode n, Path baseDir) throws ConfigException {
    n.allowOnly("name", "bind", "role", "backend", "certificate", "tls", "auth", "limits", "redirect-to-https", "nodes");
    String name = n.requireString("name");
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
      throw n.require("name").error("a name is letters, digits, '.', '_' and '-' (got '" + name + "')");
    }
    ConfigNode bindNode = n.require("bind");
    String bindText = bindNode.asString();
    HostPort bind = bindNode.as(s -> HostPort.parse(s.matches("\\d+") ? "127.0.0.1:" + s : s));
    if (!bindText.contains(":") && !bindText.matches("\\d+")) {
      throw bindNode.error("give host:port or a port number, got '" + bindText + "'");
    }
    ListenerRole role = n.require("role").asEnum(ListenerRole.class);
    if (role.isPlainHttp()) {
      // plain HTTP, no certificate of its own: what it serves comes from the store and the CA directory
      if (role == ListenerRole.ACME_HTTP) {
        n.allowOnly("name", "bind", "role", "limits", "redirect-to-https", "nodes");
      } else {
        n.allowOnly("name", "bind", "role", "limits", "nodes");
      }
      return new ListenerConfig(name, bind, role, Optional.empty(), CertificateSource.NONE,
          readTls(ConfigNode.emptyMap(n.file(), n.path() + ".tls"), baseDir), AdminAuth.none(),
          Limits.read(n.section("limits"), role), n.bool("redirect-to-https", false), NodeName.readNodes(n));
    }
    if (n.get("redirect-to-https").isPresent()) {
      throw n.require("redirect-to-https").error("only acme-http listeners have redirect-to-https");
    }
    Optional<HostPort> backend = n.get("backend").isEmpty() ? Optional.empty()
        : Optional.of(n.require("backend").as(HostPort::parse));
    if (role == ListenerRole.PROXY && backend.isEmpty()) {
      throw n.error("a proxy listener needs 'backend' (host:port of the plain TCP server)");
    }
    if (role != ListenerRole.PROXY && backend.isPresent()) {
      throw n.require("backend").error("only proxy listeners have a backend");
    }
    AdminAuth auth = AdminAuth.none();
    if (n.get("auth").isPresent()) {
      if (role != ListenerRole.ADMIN) {
        throw n.require("auth").error("only admin listeners have 'auth'");
      }
      ConfigNode a = n.section("auth");
      a.allowOnly("token", "metrics-public");
      auth = new AdminAuth(a.secret("token"), a.bool("metrics-public", false));
    }
    TlsSettings tls = readTls(n.section("tls"), baseDir);
    if (role == ListenerRole.ADMIN && auth.token().isEmpty() && tls.clientAuth() == ClientAuthMode.NONE) {
      throw n.error("an admin listener needs authentication: auth.token (a secret reference) and/or "
          + "tls.client-auth with client-ca-files");
    }
    Limits limits = Limits.read(n.section("limits"), role);
    return new ListenerConfig(name, bind, role, backend, readSource(n.require("certificate"), baseDir), tls, auth,
        limits, false, NodeName.readNodes(n));
  }

  private static CertificateSource readSource(ConfigNode c, Path baseDir) throws ConfigException {
    c.allowOnly("managed", "cert-file", "key-file", "keystore", "password", "type");
    Optional<String> managed = c.string("managed");
    Optional<Path> cert = c.pathValue("cert-file").map(p -> baseDir.resolve(p).normalize());
    Optional<Path> key = c.pathValue("key-file").map(p -> baseDir.resolve(p).normalize());
    Optional<Path> ks = c.pathValue("keystore").map(p -> baseDir.resolve(p).normalize());
    int kinds = (managed.isPresent() ? 1 : 0) + (cert.isPresent() || key.isPresent() ? 1 : 0) + (ks.isPresent() ? 1 : 0);
    if (kinds != 1) {
      throw c.error("give exactly one of: managed, cert-file + key-file, keystore (+ password)");
    }
    if (cert.isPresent() != key.isPresent()) {
      throw c.error("cert-file and key-file go together");
    }
    Optional<SecretRef> password = c.secret("password");
    if (ks.isPresent() && password.isEmpty()) {
      throw c.error("a keystore needs 'password' (a secret reference)");
    }
    KeystoreType type = c.choice("type", KeystoreType.class).orElse(KeystoreType.DEFAULT);
    return new CertificateSource(managed, cert, key, ks, password, type);
  }

  private static TlsSettings readTls(ConfigNode t, Path baseDir) throws ConfigException {
    t.allowOnly("protocols", "ciphers", "client-auth", "client-ca-files", "crl-files");
    List<TlsProtocol> protocols = t.list("protocols", p -> p.asEnum(TlsProtocol.class));
    List<String> ciphers = t.list("ciphers", ConfigNode::asString);
    ClientAuthMode clientAuth = t.choice("client-auth", ClientAuthMode.class).orElse(ClientAuthMode.NONE);
    List<Path> cas = t.list("client-ca-files", p -> baseDir.resolve(p.asPath()).normalize());
    if (clientAuth != ClientAuthMode.NONE && cas.isEmpty()) {
      throw t.error("client-auth " + clientAuth.code() + " needs client-ca-files");
    }
    List<Path> crls = t.list("crl-files", p -> baseDir.resolve(p.asPath()).normalize());
    if (!crls.isEmpty() && clientAuth == ClientAuthMode.NONE) {
      throw t.require("crl-files").error("crl-files check client certificates; set client-auth to optional or require");
    }
    return new TlsSettings(protocols.isEmpty() ? TlsSettings.DEFAULT_PROTOCOLS : protocols, ciphers, clientAuth, cas,
        crls);
  }
}
