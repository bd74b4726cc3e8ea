package io.certkeeper.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The name a daemon goes by in a fleet: {@code node:} in the configuration, else the host name. It
 * is written on the rows a node writes where it matters (who probed, who sent, who started) and
 * shown by {@code status}; nodes of one database must have distinct names.
 */
public final class NodeName {
  /** A DNS label's characters and length, dots allowed: what a host name looks like. */
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  /** Where Linux keeps the host name; read directly so that no resolver is asked. */
  private static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

  private NodeName() {}

  /** Whether {@code name} may name a node. */
  public static boolean valid(String name) {
    return VALID.matcher(name).matches();
  }

  /** What {@link #valid} requires, for error messages. */
  public static String rule() {
    return "1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit";
  }

  /**
   * {@code nodes:} of a managed certificate or a listener: the nodes that hold it; empty (the key
   * left out) for every node whose configuration declares it.
   */
  static List<String> readNodes(ConfigNode n) throws ConfigException {
    if (n.get("nodes").isPresent() && n.list("nodes").isEmpty()) {
      throw n.require("nodes").error("name at least one node, or leave nodes out (every node holds it)");
    }
    List<String> nodes = n.list("nodes", item -> {
      String s = item.asString();
      if (!valid(s)) {
        throw item.error("'" + s + "' is not a node name: " + rule());
      }
      return s;
    });
    if (new java.util.HashSet<>(nodes).size() < nodes.size()) {
      throw n.require("nodes").error("a node is named twice");
    }
    return nodes;
  }

  /** Whether {@code node} holds what {@code nodes:} ({@link #readNodes}) names. */
  static boolean holds(List<String> nodes, String node) {
    return nodes.isEmpty() || nodes.contains(node);
  }

  /** The host name as the kernel has it (else as Java resolves it), made a valid node name. */
  public static String ofHost() {
    String host = null;
    try {
      host = Files.readString(KERNEL_HOSTNAME, StandardCharsets.US_ASCII).strip();
    } catch (IOException | SecurityException e) {
      // not Linux: ask Java
    }
    if (host == null || host.isEmpty()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        host = "localhost";
      }
    }
    String cleaned = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-").replaceFirst("^[^a-z0-9]+", "");
    if (cleaned.length() > 63) {
      cleaned = cleaned.substring(0, 63);
    }
    return valid(cleaned) ? cleaned : "localhost";
  }

  /** {@code configured}, else {@link #ofHost()}. */
  static String orHost(Optional<String> configured) {
    return configured.orElseGet(NodeName::ofHost);
  }
}
