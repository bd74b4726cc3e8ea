package io.certkeeper.daemon;

import io.certkeeper.util.HostPort;
import io.certkeeper.util.Printable;
import io.certkeeper.config.ClientAuthMode;
import io.certkeeper.config.ListenerConfig;
import io.certkeeper.config.ListenerRole;
import io.certkeeper.serve.PlainHttpListener;
import io.certkeeper.config.ListenerRole;
import io.certkeeper.config.TlsProtocol;
import io.certkeeper.renew.ManagedLayout;
import io.certkeeper.renew.ServingListeners;
import io.certkeeper.serve.FileWatcher;
import io.certkeeper.serve.HttpLimits;
import io.certkeeper.serve.KeySource;
import io.certkeeper.serve.KeystoreKeySource;
import io.certkeeper.serve.PemKeySource;
import io.certkeeper.serve.ReloadableSslContext;
import io.certkeeper.serve.Roles;
import io.certkeeper.serve.ServedCertificate;
import io.certkeeper.serve.TlsListener;
import io.certkeeper.serve.TlsOptions;
import io.certkeeper.serve.UntilIssued;
import io.certkeeper.serve.AcmeTlsAlpn;
import io.certkeeper.store.ListenerStateRepository;
import io.certkeeper.store.StoreException;
import io.certkeeper.x509.Pem;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's TLS listeners: started from the configuration, reloaded when their files change
 * (or when their managed certificate is renewed), checked after each swap by a real connection,
 * and recorded in the store.
 *
 * <p>Whether a listener of a managed certificate serves the generation in force is judged by the
 * renewal's closed loop ({@link ManagedCheck}) after it had its chance to load it: after a renewal in
 * the daemon, after the file watcher reloaded it (a renewal by the CLI), and once all have started.
 */
final class Listeners implements AutoCloseable, ServingListeners {
  /** Time allowed for the check connection after a swap. */
  static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(Listeners.class);

  private record Running(ListenerConfig config, TlsListener listener) {}

  private final List<Running> running = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** The plain HTTP listeners ({@code acme-http}, {@code ocsp}, {@code pki}): no certificate, nothing to reload or record. */
  private final List<PlainHttpListener> plain = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final ListenerStateRepository states;
  private final Clock clock;
  private final FileWatcher watcher;
  private final ManagedCheck check;
  /** Where the TLS listeners look tls-alpn-01 answers up; empty when no certificate is validated that way. */
  private final Optional<AcmeTlsAlpn.Answers> alpn;
  /** The key type of each managed certificate: its listeners' stand-ins have one of the same type. */
  private final java.util.function.Function<String, io.certkeeper.x509.KeyType> keyTypes;

  private Listeners(ListenerStateRepository states, Clock clock, ManagedCheck check,
      Optional<AcmeTlsAlpn.Answers> alpn, java.util.function.Function<String, io.certkeeper.x509.KeyType> keyTypes)
      throws IOException {
    this.states = states;
    this.clock = clock;
    this.check = check;
    this.alpn = alpn;
    this.keyTypes = keyTypes;
    this.watcher = new FileWatcher();
  }

  /** Builds the HTTP handler of one admin listener (the admin API) or plain-HTTP listener (acme-http, ocsp, pki). */
  @FunctionalInterface
  interface AdminFactory {
    Roles.HttpHandler create(ListenerConfig listener) throws IOException;
  }

  /** Checks that the listeners of a managed certificate serve the generation in force (the renewer's closed loop). */
  @FunctionalInterface
  interface ManagedCheck {
    /** No check (no renewer: no CA or no passphrase). */
    ManagedCheck NONE = (certificate, listeners) -> { };

    void check(String certificate, ServingListeners listeners);
  }

  /**
   * Starts every configured listener; the first that cannot start stops the others.
   *
   * @throws IOException naming the listener and what is wrong
   */
  static Listeners start(List<ListenerConfig> configs, Path dataDir, ListenerStateRepository states, Clock clock,
      AdminFactory admin, ManagedCheck check) throws IOException, StoreException {
    return start(configs, dataDir, states, clock, admin, check, Optional.empty(), name -> io.certkeeper.x509.KeyType.EC_P256);
  }

  /**
   * Starts every configured listener, the TLS ones answering tls-alpn-01 from {@code alpn} when
   * present; the first that cannot start stops the others.
   *
   * @throws IOException naming the listener and what is wrong
   */
  static Listeners start(List<ListenerConfig> configs, Path dataDir, ListenerStateRepository states, Clock clock,
      AdminFactory admin, ManagedCheck check, Optional<AcmeTlsAlpn.Answers> alpn,
      java.util.function.Function<String, io.certkeeper.x509.KeyType> keyTypes) throws IOException, StoreException {
    Listeners ls = new Listeners(states, clock, check, alpn, keyTypes);
    try {
      for (ListenerConfig c : configs) {
        ls.startOne(c, dataDir, admin);
      }
    } catch (IOException | StoreException | RuntimeException e) {
      ls.close();
      throw e;
    }
    // the first check of a managed certificate's listeners: now that they are up
    configs.stream().flatMap(c -> c.certificate().managed().stream()).distinct()
        .forEach(name -> check.check(name, ls));
    return ls;
  }

  /** The listeners {@code current} returns, none while it returns null (before they start). */
  static ServingListeners serving(Supplier<Listeners> current) {
    return new ServingListeners() {
      @Override
      public void reloadManaged(String certificate) {
        Listeners ls = current.get();
        if (ls != null) {
          ls.reloadManaged(certificate);
        }
      }

      @Override
      public Optional<String> served(String listener) throws IOException {
        Listeners ls = current.get();
        return ls == null ? Optional.empty() : ls.served(listener);
      }
    };
  }

  private void startOne(ListenerConfig c, Path dataDir, AdminFactory admin) throws IOException, StoreException {
    if (c.role().isPlainHttp()) {
      PlainHttpListener l = PlainHttpListener.start(c.name(), new InetSocketAddress(c.bind().host(), c.bind().port()),
          admin.create(c), new HttpLimits(c.limits().requestTimeout(), c.limits().idleTimeout()),
          c.limits().maxConnections(), clock);
      plain.add(l);
      log.info("{} - listening on {} ({}, plain HTTP: {})", c.name(), l.address(), c.role().code(), switch (c.role()) {
        case OCSP -> "the local CA's OCSP responder";
        case PKI -> "the local CA's CRL and certificate";
        default -> "ACME http-01 challenges";
      });
      return;
    }
    KeySource source = keySource(c, dataDir, clock, keyTypes);
    ReloadableSslContext tls;
    try {
      tls = ReloadableSslContext.load(source, tlsOptions(c, dataDir), clock);
    } catch (IOException e) {
      throw new IOException("listener " + c.name() + ": " + e.getMessage(), e);
    }
    TlsListener.Role role = switch (c.role()) {
      case PROXY -> Roles.proxy(new InetSocketAddress(c.backend().get().host(), c.backend().get().port()));
      case ADMIN -> Roles.http(admin.create(c),
          new HttpLimits(c.limits().requestTimeout(), c.limits().idleTimeout()));
      case ECHO -> Roles.echo();
      case ACME_HTTP, OCSP, PKI -> throw new IllegalStateException(c.role() + " listeners are plain HTTP");
    };
    TlsListener l = TlsListener.start(c.name(), new InetSocketAddress(c.bind().host(), c.bind().port()), tls, role, 2,
        c.limits().maxConnections(), alpn.map(a -> new AcmeTlsAlpn(c.name(), a, clock)), clock);
    running.add(new Running(c, l));
    record(c, l);
    List<Path> watched = new ArrayList<>(source.files());
    if (c.certificate().managed().isPresent()) {
      // the current link, also before the first issue: its appearance is what the stand-in waits for
      Path root = ManagedLayout.root(dataDir, c.certificate().managed().get());
      java.nio.file.Files.createDirectories(root, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
      watched.add(ManagedLayout.current(dataDir, c.certificate().managed().get()));
    }
    watcher.watch(watched, () -> {
      ReloadableSslContext.Reload r = reload(c, l);
      if (r.changed() || r.failed()) {
        // a renewal by another process (the CLI), or files changed by hand: judge it now it had its chance
        c.certificate().managed().ifPresent(m -> check.check(m, this));
      }
    });
    log.info("{} - listening on {} ({}{}), serving {}", c.name(), l.address(), c.role().code(),
        alpn.isPresent() ? ", answers tls-alpn-01" : "", tls.current().material().leaf().getSubjectX500Principal());
    tls.revocationProblem().ifPresent(p -> log.error("{} - refusing every client certificate until its CRLs can be"
        + " trusted: {}", c.name(), p));
  }

  /** Reloads the listeners that serve managed certificate {@code name} (after a renewal). */
  @Override
  public void reloadManaged(String name) {
    for (Running r : running) {
      if (r.config().certificate().managed().filter(name::equals).isPresent()) {
        reload(r.config(), r.listener());
      }
    }
  }

  /** Reloads every listener (SIGHUP). */
  void reloadAll() {
    for (Running r : running) {
      reload(r.config(), r.listener());
    }
  }

  private synchronized ReloadableSslContext.Reload reload(ListenerConfig c, TlsListener l) {
    ReloadableSslContext.Reload r = l.tls().reload();
    try {
      if (r.failed()) {
        log.error("{} - reload refused, still serving {}: {}", c.name(), r.sha256(), Printable.line(r.error()));
        states.failed(c.name(), r.error(), clock.instant());
      } else if (r.changed()) {
        log.info("{} - now serving {}", c.name(), r.sha256());
        record(c, l);
      }
    } catch (StoreException e) {
      log.warn("{} - cannot record the reload: {}", c.name(), e.getMessage());
    }
    return r;
  }

  private void record(ListenerConfig c, TlsListener l) throws StoreException {
    X509Certificate leaf = l.tls().current().material().leaf();
    String sha = l.tls().current().material().sha256();
    // host:port as the configuration writes it, not InetSocketAddress's "/127.0.0.1:8443"
    String bind = new HostPort(l.address().getAddress().getHostAddress(), l.address().getPort()).toString();
    states.loaded(c.name(), bind, c.role().code(), sha, leaf.getSerialNumber().toString(16),
        leaf.getNotAfter().toInstant(), clock.instant());
    try {
      InetSocketAddress a = l.address();
      String served = ServedCertificate.sha256(new InetSocketAddress(
          a.getAddress().isAnyLocalAddress() ? java.net.InetAddress.getLoopbackAddress() : a.getAddress(), a.getPort()),
          CHECK_TIMEOUT);
      states.verified(c.name(), served, clock.instant());
      if (!served.equals(sha)) {
        log.error("{} - serves {} although {} was loaded", c.name(), served, sha);
      }
    } catch (IOException e) {
      states.failed(c.name(), "check connection: " + e.getMessage(), clock.instant());
      log.warn("{} - cannot check what is served: {}", c.name(), e.getMessage());
    }
  }

  boolean allOpen() {
    return running.stream().allMatch(r -> r.listener().isOpen()) && plain.stream().allMatch(PlainHttpListener::isOpen);
  }

  static KeySource keySource(ListenerConfig c, Path dataDir, Clock clock,
      java.util.function.Function<String, io.certkeeper.x509.KeyType> keyTypes) {
    ListenerConfig.CertificateSource s = c.certificate();
    if (s.managed().isPresent()) {
      return new UntilIssued(new PemKeySource(ManagedLayout.currentFullchain(dataDir, s.managed().get()),
          ManagedLayout.currentKey(dataDir, s.managed().get())), s.managed().get(), keyTypes.apply(s.managed().get()),
          clock);
    }
    if (s.certFile().isPresent()) {
      return new PemKeySource(s.certFile().get(), s.keyFile().get());
    }
    return new KeystoreKeySource(s.keystore().get(), s.keystoreType().code(),
        () -> s.keystorePassword().get().resolve());
  }

  static TlsOptions tlsOptions(ListenerConfig c, Path dataDir) throws IOException {
    List<X509Certificate> cas = new ArrayList<>();
    for (Path f : c.tls().clientCaFiles()) {
      cas.addAll(Pem.readCertificates(f));
    }
    Path localRoot = dataDir.resolve(TrustSources.LOCAL_ROOT);
    boolean clientAuth = c.tls().clientAuth() != ClientAuthMode.NONE;
    if (c.role() == ListenerRole.ADMIN && cas.isEmpty() && clientAuth
        && java.nio.file.Files.isRegularFile(localRoot)) {
      cas.addAll(Pem.readCertificates(localRoot)); // an admin listener trusts the local CA's clients
    }
    List<Path> crls = new ArrayList<>(c.tls().crlFiles());
    List<X509Certificate> crlIssuers = new ArrayList<>(cas);
    if (clientAuth && java.nio.file.Files.isRegularFile(localRoot)
        && cas.containsAll(Pem.readCertificates(localRoot))) {
      // Clients of the local CA are checked against its CRL, signed by its issuing certificate.
      crls.add(dataDir.resolve(TrustSources.LOCAL_CRL));
      Path intermediate = dataDir.resolve(TrustSources.LOCAL_INTERMEDIATE);
      if (java.nio.file.Files.isRegularFile(intermediate)) {
        crlIssuers.addAll(Pem.readCertificates(intermediate));
      }
    }
    TlsOptions.ClientAuth mode = switch (c.tls().clientAuth()) {
      case NONE -> TlsOptions.ClientAuth.NONE;
      case OPTIONAL -> TlsOptions.ClientAuth.OPTIONAL;
      case REQUIRE -> TlsOptions.ClientAuth.REQUIRE;
    };
    return new TlsOptions(c.tls().protocols().stream().map(TlsProtocol::protocolName).toList(), c.tls().ciphers(),
        mode, cas, crls, crlIssuers);
  }

  @Override
  public Optional<String> served(String listener) throws IOException {
    Optional<InetSocketAddress> a = address(listener);
    if (a.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(ServedCertificate.sha256(loopback(a.get()), CHECK_TIMEOUT));
  }

  private static InetSocketAddress loopback(InetSocketAddress a) {
    return new InetSocketAddress(
        a.getAddress().isAnyLocalAddress() ? java.net.InetAddress.getLoopbackAddress() : a.getAddress(), a.getPort());
  }

  /** The bound address of a listener, by name (for tests and the closed loop). */
  Optional<InetSocketAddress> address(String name) {
    Optional<InetSocketAddress> tls = running.stream().filter(r -> r.config().name().equals(name))
        .map(r -> r.listener().address()).findFirst();
    return tls.isPresent() ? tls : plain.stream().filter(l -> l.name().equals(name)).map(PlainHttpListener::address)
        .findFirst();
  }

  @Override
  public void close() {
    watcher.close();
    for (PlainHttpListener l : plain) {
      l.close();
    }
    for (Running r : running) {
      r.listener().close();
    }
  }
}
