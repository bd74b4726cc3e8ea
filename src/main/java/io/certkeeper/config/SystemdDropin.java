package io.certkeeper.config;

import io.certkeeper.util.Printable;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The systemd drop-in that lets the shipped unit write what a configuration deploys.
 *
 * <p>{@code systemd/certkeeper.service} runs the daemon as the user {@code certkeeper} with
 * {@code ProtectSystem=strict}: the whole file system is read-only to it except its state directory
 * ({@code /var/lib/certkeeper}). Everything the daemon writes elsewhere must be named:
 *
 * <ul>
 *   <li>the folder of every managed certificate's output ({@code key}, {@code cert}, {@code chain},
 *       {@code fullchain}, {@code pkcs12}), and a {@code data-dir} outside the state directory, in
 *       {@code ReadWritePaths=};
 *   <li>every group an output is given to ({@code group: nginx}) in {@code SupplementaryGroups=} (a
 *       process may only give a file to a group it belongs to), with {@code PrivateUsers=no}: in the
 *       unit's private user namespace other groups do not exist, and giving a file to one fails.
 * </ul>
 *
 * <p>{@link #of} collects these from a configuration (deduplicated, sorted); {@link #render} writes
 * them as a unit-file fragment in which each value is quoted and escaped as systemd reads it (spaces,
 * quotes, backslashes, {@code %} specifiers). Outputs with an {@code owner} other than the service's
 * user need the daemon to run as root, which a drop-in of this kind does not grant; they are listed
 * as a comment and by {@link #foreignOwners()}.
 *
 * @param source the configuration file this was derived from (absent: defaults)
 * @param writableDirectories the folders to name in {@code ReadWritePaths=}, sorted
 * @param groups the groups to name in {@code SupplementaryGroups=}, sorted
 * @param foreignOwners output path → owner, for outputs given to another user than the service's
 */
public record SystemdDropin(Optional<Path> source, SortedSet<Path> writableDirectories, SortedSet<String> groups,
    SortedMap<Path, String> foreignOwners) {

  /** The user (and primary group) {@code systemd/certkeeper.service} runs the daemon as. */
  public static final String SERVICE_USER = "certkeeper";
  /** The unit's {@code StateDirectory=}: always writable, never named again. */
  public static final Path STATE_DIRECTORY = Path.of("/var/lib/certkeeper");
  /** Where {@code scripts/install.sh} puts the drop-in. */
  public static final Path INSTALLED_AT = Path.of("/etc/systemd/system/certkeeper.service.d/outputs.conf");

  /**
   * A group name systemd accepts in {@code SupplementaryGroups=} (a numeric id is one too): letters,
   * digits, {@code _}, {@code .}, {@code -}, not starting with {@code -} or {@code .}, an optional
   * trailing {@code $} (Samba machine accounts).
   */
  private static final Pattern GROUP = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,255}\\$?");

  public SystemdDropin {
    writableDirectories = Collections.unmodifiableSortedSet(new TreeSet<>(writableDirectories));
    groups = Collections.unmodifiableSortedSet(new TreeSet<>(groups));
    foreignOwners = Collections.unmodifiableSortedMap(new TreeMap<>(foreignOwners));
  }

  /**
   * What {@code config} makes the daemon write outside its state directory.
   *
   * @throws ConfigException when a path or group cannot be named in a unit file (a control character
   *     in it), or an output lies directly in {@code /} (that would make the whole file system
   *     writable); the message names the file and the certificate
   */
  public static SystemdDropin of(Config config) throws ConfigException {
    String file = config.file().map(Path::toString).orElse("(defaults)");
    SortedSet<Path> dirs = new TreeSet<>();
    SortedSet<String> groups = new TreeSet<>();
    SortedMap<Path, String> owners = new TreeMap<>();
    Optional<Path> dataDir = dataDir(config);
    if (dataDir.isPresent() && !dataDir.get().startsWith(STATE_DIRECTORY)) {
      dirs.add(checked(dataDir.get(), file + ": data-dir " + dataDir.get()));
    }
    for (CertificateConfig c : config.certificates()) {
      for (CertificateConfig.Output o : c.outputs()) {
        String where = file + ": certificates '" + c.name() + "': output " + o.path();
        Path dir = o.path().toAbsolutePath().normalize().getParent();
        if (dir == null || dir.getParent() == null) {
          throw new ConfigException(where + ": an output directly in / would need the whole file system writable;"
              + " put it in a directory of its own");
        }
        dirs.add(checked(dir, where));
        if (o.group().isPresent() && !o.group().get().equals(SERVICE_USER)) {
          String g = o.group().get();
          if (!GROUP.matcher(g).matches()) {
            throw new ConfigException(where + ": group '" + g + "' cannot be named in a systemd unit");
          }
          groups.add(g);
        }
        if (o.owner().isPresent() && !o.owner().get().equals(SERVICE_USER)) {
          owners.put(o.path(), o.owner().get());
        }
      }
    }
    return new SystemdDropin(config.file(), dirs, groups, owners);
  }

  /** The unit-file fragment: a header naming the source, then {@code [Service]} and the settings. */
  public String render() {
    StringBuilder b = new StringBuilder();
    b.append("# Generated by 'certkeeper config systemd-dropin' from ")
        .append(source.map(p -> Printable.line(p.toString())).orElse("the defaults (no configuration file)"))
        .append(".\n");
    b.append("# It lets certkeeper.service write what that file deploys. Do not edit it: when outputs change,\n");
    b.append("# write it again and restart the daemon (a reload does not change its sandbox):\n");
    b.append("#   certkeeper config systemd-dropin > ").append(INSTALLED_AT).append('\n');
    b.append("#   systemctl daemon-reload && systemctl restart certkeeper\n");
    b.append("[Service]\n");
    if (writableDirectories.isEmpty()) {
      b.append("# No outputs are configured: certkeeper writes only its state directory.\n");
    } else {
      b.append("# Directories the daemon writes into besides its state directory. '-': the service still\n");
      b.append("# starts when one is missing (create it first: writing into it fails until then).\n");
      for (Path d : writableDirectories) {
        b.append("ReadWritePaths=").append(word("-" + d)).append('\n');
      }
    }
    if (!groups.isEmpty()) {
      b.append("# Groups outputs are given to: the daemon joins them, and runs without a private user\n");
      b.append("# namespace, in which no other group would exist.\n");
      b.append("SupplementaryGroups=").append(String.join(" ", groups.stream().map(SystemdDropin::word).toList()))
          .append('\n');
      b.append("PrivateUsers=no\n");
    }
    if (!foreignOwners.isEmpty()) {
      b.append("# Outputs given to another user need the daemon to run as root, which this file does not do:\n");
      for (Map.Entry<Path, String> e : foreignOwners.entrySet()) {
        b.append("#   ").append(Printable.line(e.getKey().toString())).append(" (owner ")
            .append(Printable.line(e.getValue())).append(")\n");
      }
    }
    return b.toString();
  }

  /**
   * {@code value} as one word of a unit-file setting: {@code %} doubled (systemd expands specifiers
   * such as {@code %i} in paths and names), and in double quotes, with {@code \} and {@code "}
   * escaped, when it holds a space, a tab, a quote or a backslash.
   */
  static String word(String value) {
    String v = value.replace("%", "%%");
    if (v.chars().noneMatch(ch -> ch == ' ' || ch == '\t' || ch == '"' || ch == '\'' || ch == '\\')) {
      return v;
    }
    return '"' + v.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /** {@code dir}, unless a unit file cannot hold it (a line break or another control character). */
  private static Path checked(Path dir, String where) throws ConfigException {
    String s = dir.toString();
    if (s.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
      throw new ConfigException(where + ": a path with a control character cannot be named in a systemd unit");
    }
    return dir;
  }

  /** The configured {@code data-dir}, absolute (a relative one is relative to the configuration file). */
  private static Optional<Path> dataDir(Config config) {
    if (config.dataDir().isEmpty()) {
      return Optional.empty();
    }
    Path d = config.dataDir().get();
    if (!d.isAbsolute() && config.file().isPresent()) {
      d = config.file().get().toAbsolutePath().getParent().resolve(d);
    }
    return Optional.of(d.toAbsolutePath().normalize());
  }
}
