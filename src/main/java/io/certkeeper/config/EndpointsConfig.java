package io.certkeeper.config;

import io.certkeeper.util.ErrorText;
import io.certkeeper.util.HostPort;
import io.certkeeper.util.TargetsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The endpoints declared in the configuration: {@code defaults:}, {@code groups:} (each with its own
 * {@code defaults:}, {@code endpoints:} and an optional {@code targets-file:} for bulk lists) and
 * top-level {@code endpoints:}. Resolution order for every setting: the endpoint, its group's
 * defaults, the top-level defaults, the built-in defaults.
 */
final class EndpointsConfig {
  private EndpointsConfig() {}

  static List<EndpointConfig> read(ConfigNode root, Path baseDir) throws ConfigException {
    ConfigNode defaultsNode = root.section("defaults");
    defaultsNode.allowOnly(EndpointSettings.KEYS);
    EndpointSettings top = EndpointSettings.read(defaultsNode, baseDir);

    Map<String, EndpointConfig> byId = new LinkedHashMap<>();
    Map<String, String> where = new LinkedHashMap<>();

    ConfigNode groups = root.section("groups");
    for (String name : groups.keys()) {
      ConfigNode g = groups.section(name);
      g.allowOnly("defaults", "endpoints", "targets-file");
      ConfigNode gd = g.section("defaults");
      gd.allowOnly(EndpointSettings.KEYS);
      EndpointSettings groupDefaults = top.overriddenBy(EndpointSettings.read(gd, baseDir));
      for (ConfigNode e : g.list("endpoints")) {
        add(byId, where, readEndpoint(e, baseDir, groupDefaults, Optional.of(name)), e.location());
      }
      Optional<ConfigNode> tf = g.get("targets-file");
      if (tf.isPresent()) {
        Path file = baseDir.resolve(tf.get().asPath()).normalize();
        for (TargetsFile.Line t : readTargetsFile(tf.get(), file)) {
          HostPort hp;
          try {
            hp = HostPort.parse(t.text());
          } catch (IllegalArgumentException ex) {
            throw new ConfigException(file + ":" + t.number() + ": " + ex.getMessage());
          }
          add(byId, where, EndpointConfig.resolve(hp, Optional.empty(), groupDefaults, Optional.of(name)),
              file + ":" + t.number());
        }
      }
    }
    for (ConfigNode e : root.list("endpoints")) {
      add(byId, where, readEndpoint(e, baseDir, top, Optional.empty()), e.location());
    }
    return List.copyOf(byId.values());
  }

  private static void add(Map<String, EndpointConfig> byId, Map<String, String> where, EndpointConfig e,
      String location) throws ConfigException {
    String first = where.putIfAbsent(e.id(), location);
    if (first != null) {
      throw new ConfigException(location + ": endpoint " + e.id() + " is declared twice (first at " + first + ")");
    }
    byId.put(e.id(), e);
  }

  private static EndpointConfig readEndpoint(ConfigNode e, Path baseDir, EndpointSettings inherited,
      Optional<String> group) throws ConfigException {
    if (e.kind() == ConfigNode.Kind.STRING) {
      // "- host:443" is shorthand for "- target: host:443"
      return EndpointConfig.resolve(e.as(HostPort::parse), Optional.empty(), inherited, group);
    }
    String[] keys = new String[EndpointSettings.KEYS.length + 2];
    keys[0] = "target";
    keys[1] = "servername";
    System.arraycopy(EndpointSettings.KEYS, 0, keys, 2, EndpointSettings.KEYS.length);
    e.allowOnly(keys);
    HostPort target = e.require("target").as(HostPort::parse);
    Optional<String> servername = e.string("servername");
    EndpointSettings s = inherited.overriddenBy(EndpointSettings.read(e, baseDir));
    return EndpointConfig.resolve(target, servername, s, group);
  }

  private static List<TargetsFile.Line> readTargetsFile(ConfigNode at, Path file) throws ConfigException {
    try {
      return TargetsFile.read(file);
    } catch (IOException ex) {
      throw at.error("cannot read targets file " + ErrorText.about(file, ex));
    }
  }
}
