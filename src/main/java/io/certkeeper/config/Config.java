package io.certkeeper.config;

import java.nio.file.Path;
import java.util.List;
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
 * @param certificates {@code certificates:} the managed certificates
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
    List<CertificateConfig> certificates) {

  public Config {
    certificates = List.copyOf(certificates);
  }

  /** This daemon's name in a fleet: {@code node:}, else the host name ({@link NodeName}). */
  public String nodeName() {
    return NodeName.orHost(node);
  }

  /** The managed certificate named {@code name}. */
  public Optional<CertificateConfig> certificate(String name) {
    return certificates.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /** The top-level keys, in the order the sample file documents them. */
  static final String[] KEYS = {
    "data-dir", "node", "log", "store", "ca", "certificates", "scheduler", "defaults", "groups", "endpoints", "listeners", "alerts", "smtp"
  };

  static Config read(Optional<Path> file, ConfigNode root) throws ConfigException {
    root.allowOnly(KEYS);
    Path baseDir = file.map(f -> f.toAbsolutePath().getParent()).orElse(Path.of("").toAbsolutePath());
    List<CertificateConfig> certificates = CertificateConfig.readAll(root, baseDir);
    List<ListenerConfig> listeners = ListenerConfig.readAll(root, baseDir);
    for (int i = 0; i < listeners.size(); i++) {
      Optional<String> managed = listeners.get(i).certificate().managed();
      if (managed.isPresent() && certificates.stream().noneMatch(c -> c.name().equals(managed.get()))) {
        throw root.list("listeners").get(i).require("certificate").error("managed certificate '" + managed.get()
            + "' is not defined under certificates:");
      }
    }
    Optional<String> node = root.string("node");
    if (node.isPresent() && !NodeName.valid(node.get())) {
      throw root.require("node").error("'" + node.get() + "' is not a node name: " + NodeName.rule());
    }
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
        certificates);
  }

  /** All defaults, as when no configuration file exists. */
  public static Config defaults() {
    return new Config(Optional.empty(), Optional.empty(), Optional.empty(), LogConfig.defaults(), StoreConfig.defaults(),
        SchedulerConfig.defaults(), List.of(), List.of(), AlertsConfig.defaults(), SmtpConfig.defaults(),
        CaConfig.defaults(), List.of());
  }
}
