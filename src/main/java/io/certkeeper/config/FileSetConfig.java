package io.certkeeper.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of {@code files:}: certificate files on this host to keep in the inventory.
 *
 * @param paths absolute glob patterns ({@code /etc/ssl/**}{@code /*.pem}, {@code /opt/app/*.p12}),
 *     resolved against the configuration file's directory
 * @param password the keystore password of the PKCS#12, JKS and JCEKS files among them
 * @param rescan how often the files are looked at again (a file whose size, time and identity did
 *     not change is not read again)
 * @param warning certificates with less time left than this are reported as expiring
 * @param critical within this, expiring is critical
 * @param endpoints ids of endpoints that should serve the certificate in these files: a file whose
 *     leaf differs from what such an endpoint serves is a stale deploy
 * @param location {@code file:line} of the entry, for messages
 */
public record FileSetConfig(
    List<String> paths,
    Optional<SecretRef> password,
    Duration rescan,
    Duration warning,
    Duration critical,
    Map<String, String> labels,
    List<String> owners,
    List<String> endpoints,
    String location) {

  public static final Duration DEFAULT_RESCAN = Duration.ofMinutes(5);
  /** Shorter rescans are refused: a glob over a large tree costs a walk each time. */
  public static final Duration MIN_RESCAN = Duration.ofSeconds(10);
  /** At most this many patterns per entry. */
  public static final int MAX_PATTERNS = 100;

  static final String[] KEYS = {"paths", "password", "rescan", "warning", "critical", "labels", "owners", "endpoints"};

  public FileSetConfig {
    paths = List.copyOf(paths);
    Objects.requireNonNull(password, "password");
    labels = Map.copyOf(labels);
    owners = List.copyOf(owners);
    endpoints = List.copyOf(endpoints);
  }

  static List<FileSetConfig> readAll(ConfigNode root, Path baseDir) throws ConfigException {
    List<FileSetConfig> out = new ArrayList<>();
    for (ConfigNode n : root.list("files")) {
      out.add(read(n, baseDir));
    }
    return out;
  }

  static FileSetConfig read(ConfigNode n, Path baseDir) throws ConfigException {
    n.allowOnly(KEYS);
    List<ConfigNode> items = n.list("paths");
    if (items.isEmpty()) {
      throw n.require("paths").error("give at least one path or glob pattern");
    }
    if (items.size() > MAX_PATTERNS) {
      throw n.require("paths").error("at most " + MAX_PATTERNS + " patterns per entry");
    }
    List<String> paths = new ArrayList<>();
    for (ConfigNode item : items) {
      String s = item.asString().strip();
      if (s.isEmpty()) {
        throw item.error("empty path");
      }
      if (s.indexOf('\0') >= 0 || s.length() > 2000) {
        throw item.error("not a path (at most 2000 characters, no NUL)");
      }
      String resolved = s.startsWith("/") ? s : baseDir.resolve(s).toString();
      if (resolved.contains("/../") || resolved.endsWith("/..")) {
        throw item.error("'..' is not allowed in a pattern; write the directory out");
      }
      paths.add(resolved);
    }
    Duration rescan = n.duration("rescan", DEFAULT_RESCAN);
    if (rescan.compareTo(MIN_RESCAN) < 0) {
      throw n.require("rescan").error("must be at least " + io.certkeeper.util.Durations.format(MIN_RESCAN));
    }
    Duration warning = n.duration("warning", EndpointConfig.DEFAULT_WARNING);
    Duration critical = n.duration("critical", EndpointConfig.DEFAULT_CRITICAL);
    if (critical.compareTo(warning) > 0) {
      throw n.require("critical").error("must not be longer than warning (" + io.certkeeper.util.Durations.format(warning)
          + ")");
    }
    Map<String, String> labels = EndpointSettings.labels(n);
    List<String> owners = EndpointSettings.owners(n);
    List<String> endpoints = n.list("endpoints", item -> {
      String s = item.asString().strip();
      if (s.isEmpty() || s.length() > 500) {
        throw item.error("an endpoint id (host:port), got '" + s + "'");
      }
      return s;
    });
    return new FileSetConfig(paths, n.secret("password"), rescan, warning, critical, labels, owners, endpoints,
        n.location() + " " + n.path());
  }
}
