package io.certkeeper.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole configuration, typed and validated. Read it with {@link ConfigLoader}; each section is
 * a record of its own that knows its keys and defaults.
 *
 * @param file the file it was read from (absent when certkeeper runs on defaults)
 * @param dataDir {@code data-dir:} where the store and the CA live
 * @param alerts {@code alerts:} what is alerted and to whom
 * @param smtp {@code smtp:} the mail server alerts go through
 * @param ca {@code ca:} the local CA
 * @param acme {@code acme:} ACME accounts
 * @param listeners {@code listeners:} the ones this node runs
 * @param certificates {@code certificates:} the managed certificates this node holds
 * @param files {@code files:} certificate files on this host to keep in the inventory
 * @param elsewhere what the file declares for other nodes only ({@code nodes:} without this one)
 */
public record Config(
    Optional<Path> file,
    Optional<Path> dataDir,
    Optional<String> node,
    LogConfig log,
    StoreConfig store,
    SchedulerConfig scheduler,
    List<EndpointConfig> endpoints,
    List<ListenerConfig> listeners,
    AlertsConfig alerts,
    SmtpConfig smtp,
    CaConfig ca,
    AcmeConfig acme,
    List<CertificateConfig> certificates,
    List<FileSetConfig> files,
    Elsewhere elsewhere) {

  public Config {
    certificates = List.copyOf(certificates);
    files = List.copyOf(files);
    Objects.requireNonNull(elsewhere, "elsewhere");
  }

  /** Managed certificates and listeners that other nodes hold ({@code nodes:} leaves this node out). */
  public record Elsewhere(List<CertificateConfig> certificates, List<ListenerConfig> listeners) {
    public Elsewhere {
      certificates = List.copyOf(certificates);
      listeners = List.copyOf(listeners);
    }

    static final Elsewhere NONE = new Elsewhere(List.of(), List.of());

    /** The nodes that hold the managed certificate {@code name}, when only other nodes do. */
    public Optional<List<String>> holders(String name) {
      List<String> nodes = certificates.stream().filter(c -> c.name().equals(name))
          .flatMap(c -> c.nodes().stream()).distinct().sorted().toList();
      return nodes.isEmpty() ? Optional.empty() : Optional.of(nodes);
    }
  }

  /** This daemon's name in a fleet: {@code node:}, else the host name ({@link NodeName}). */
  public String nodeName() {
    return NodeName.orHost(node);
  }

  /** The managed certificate named {@code name}. */
  public Optional<CertificateConfig> certificate(String name) {
    return certificates.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /**
   * Why {@link #certificate(String) certificate(name)} finds nothing, for an error message: held
   * by other nodes only, or not declared at all.
   */
  public String whyNoCertificate(String name) {
    return elsewhere.holders(name)
        .map(nodes -> "managed certificate '" + name + "' is held by node" + (nodes.size() == 1 ? " " : "s ")
            + String.join(", ", nodes) + ", not by this node (" + nodeName() + "): run this there")
        .orElse("no managed certificate named '" + name + "' in certificates:"
            + (certificates.isEmpty() ? " (none configured)" : ""));
  }

  /** The top-level keys, in the order the sample file documents them. */
  static final String[] KEYS = {
    "data-dir", "node", "log", "store", "ca", "acme", "certificates", "scheduler", "defaults", "groups", "endpoints", "files", "listeners", "alerts",
    "smtp"
  };

  static Config read(Optional<Path> file, ConfigNode root) throws ConfigException {
    root.allowOnly(KEYS);
    Path baseDir = file.map(f -> f.toAbsolutePath().getParent()).orElse(Path.of("").toAbsolutePath());
    Optional<String> node = root.string("node");
    if (node.isPresent() && !NodeName.valid(node.get())) {
      throw root.require("node").error("'" + node.get() + "' is not a node name: " + NodeName.rule());
    }
    String thisNode = NodeName.orHost(node);
    List<CertificateConfig> allCertificates = CertificateConfig.readAll(root, baseDir, thisNode);
    AcmeConfig acme = AcmeConfig.read(root.section("acme"), baseDir);
    for (int i = 0; i < allCertificates.size(); i++) {
      Optional<CertificateConfig.Acme> a = allCertificates.get(i).acme();
      if (a.isPresent() && acme.account(a.get().account()).isEmpty()) {
        throw root.list("certificates").get(i).require("issuer").error("no ACME account '" + a.get().account()
            + "' under acme.accounts");
      }
    }
    List<ListenerConfig> allListeners = ListenerConfig.readAll(root, baseDir, thisNode);
    List<CertificateConfig> certificates = allCertificates.stream().filter(c -> c.heldBy(thisNode)).toList();
    for (int i = 0; i < allListeners.size(); i++) {
      ListenerConfig l = allListeners.get(i);
      Optional<String> managed = l.certificate().managed();
      if (managed.isEmpty()) {
        continue;
      }
      boolean declared = allCertificates.stream().anyMatch(c -> c.name().equals(managed.get()));
      if (!declared) {
        throw root.list("listeners").get(i).require("certificate").error("managed certificate '" + managed.get()
            + "' is not defined under certificates:");
      }
      if (l.heldBy(thisNode) && certificates.stream().noneMatch(c -> c.name().equals(managed.get()))) {
        List<String> holders = allCertificates.stream().filter(c -> c.name().equals(managed.get()))
            .flatMap(c -> c.nodes().stream()).distinct().sorted().toList();
        throw root.list("listeners").get(i).require("certificate").error("managed certificate '" + managed.get()
            + "' is held by node" + (holders.size() == 1 ? " " : "s ") + String.join(", ", holders) + " only, but this"
            + " listener runs on node " + thisNode + " too: add " + thisNode + " to the certificate's nodes: or leave"
            + " it out of the listener's");
      }
    }
    List<ListenerConfig> listeners = allListeners.stream().filter(l -> l.heldBy(thisNode)).toList();
    Elsewhere elsewhere = new Elsewhere(allCertificates.stream().filter(c -> !c.heldBy(thisNode)).toList(),
        allListeners.stream().filter(l -> !l.heldBy(thisNode)).toList());
    return new Config(
        file,
        root.pathValue("data-dir"),
        node,
        LogConfig.read(root.section("log")),
        StoreConfig.read(root.section("store")),
        SchedulerConfig.read(root.section("scheduler")),
        EndpointsConfig.read(root, baseDir),
        listeners,
        AlertsConfig.read(root.section("alerts")),
        SmtpConfig.read(root.section("smtp"), baseDir),
        CaConfig.read(root.section("ca")),
        acme,
        certificates,
        FileSetConfig.readAll(root, baseDir),
        elsewhere);
  }

  /** All defaults, as when no configuration file exists. */
  public static Config defaults() {
    return new Config(Optional.empty(), Optional.empty(), Optional.empty(), LogConfig.defaults(), StoreConfig.defaults(),
        SchedulerConfig.defaults(), List.of(), List.of(), AlertsConfig.defaults(), SmtpConfig.defaults(),
        CaConfig.defaults(), AcmeConfig.defaults(), List.of(), List.of(), Elsewhere.NONE);
  }
}
