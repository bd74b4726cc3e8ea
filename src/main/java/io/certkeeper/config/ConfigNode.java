package io.certkeeper.config;

import io.certkeeper.util.Coded;
import io.certkeeper.util.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * One value of the YAML configuration with where it was written: the file, the line and its path
 * of keys ({@code certificates[2].renew-before}). Every accessor that can fail throws a {@link
 * ConfigException} whose message starts with {@code file:line: key:}, so each configuration
 * section reads its values in a few lines and still gives exact errors.
 */
public final class ConfigNode {
  /** What the YAML held at this place. */
  public enum Kind {
    MAP, LIST, STRING, NUMBER, BOOLEAN, NULL
  }

  private final Path file;
  private final int line;
  private final String path;
  private final Kind kind;
  private final String scalar;
  private final Map<String, ConfigNode> map;
  private final List<ConfigNode> list;

  private ConfigNode(Path file, int line, String path, Kind kind, String scalar,
      Map<String, ConfigNode> map, List<ConfigNode> list) {
    this.file = file;
    this.line = line;
    this.path = path;
    this.kind = kind;
    this.scalar = scalar;
    this.map = map;
    this.list = list;
  }

  static ConfigNode scalar(Path file, int line, String path, Kind kind, String value) {
    return new ConfigNode(file, line, path, kind, value, Map.of(), List.of());
  }

  static ConfigNode map(Path file, int line, String path, Map<String, ConfigNode> entries) {
    return new ConfigNode(file, line, path, Kind.MAP, null,
        Collections.unmodifiableMap(new LinkedHashMap<>(entries)), List.of());
  }

  static ConfigNode list(Path file, int line, String path, List<ConfigNode> items) {
    return new ConfigNode(file, line, path, Kind.LIST, null, Map.of(), List.copyOf(items));
  }

  ConfigNode withLine(int newLine) {
    return new ConfigNode(file, newLine, path, kind, scalar, map, list);
  }

  /** An empty map standing for a file that does not exist or a section that is absent. */
  public static ConfigNode emptyMap(Path file, String path) {
    return map(file, 1, path, Map.of());
  }

  public Path file() {
    return file;
  }

  public int line() {
    return line;
  }

  /** The dotted key path of this node, e.g. {@code store.url}; empty for the document root. */
  public String path() {
    return path;
  }

  public Kind kind() {
    return kind;
  }

  /** An error at this node: {@code file:line: path: message}. */
  public ConfigException error(String message) {
    return new ConfigException(location() + ": " + (path.isEmpty() ? "" : path + ": ") + message);
  }

  /** {@code file:line}. */
  public String location() {
    return file + ":" + line;
  }

  // ---- maps ---------------------------------------------------------------------------------

  /** Fails on the first key not in {@code allowed}, suggesting the nearest allowed one. */
  public ConfigNode allowOnly(String... allowed) throws ConfigException {
    requireKind(Kind.MAP, "a mapping of keys");
    Set<String> ok = new LinkedHashSet<>(Arrays.asList(allowed));
    for (Map.Entry<String, ConfigNode> e : map.entrySet()) {
      if (!ok.contains(e.getKey())) {
        String where = path.isEmpty() ? "" : " in " + path;
        String hint = Suggestions.closest(e.getKey(), ok)
            .map(s -> " (did you mean '" + s + "'?)")
            .orElse(" (known keys: " + String.join(", ", ok) + ")");
        throw new ConfigException(
            e.getValue().location() + ": unknown key '" + e.getKey() + "'" + where + hint);
      }
    }
    return this;
  }

  /** The keys of this mapping in file order. */
  public Set<String> keys() throws ConfigException {
    requireKind(Kind.MAP, "a mapping of keys");
    return map.keySet();
  }

  /** The value under {@code key}, absent when missing or explicitly null. */
  public Optional<ConfigNode> get(String key) throws ConfigException {
    requireKind(Kind.MAP, "a mapping of keys");
    ConfigNode n = map.get(key);
    return n == null || n.kind == Kind.NULL ? Optional.empty() : Optional.of(n);
  }

  /** The value under {@code key}, or an error naming the missing key. */
  public ConfigNode require(String key) throws ConfigException {
    Optional<ConfigNode> n = get(key);
    if (n.isEmpty()) {
      throw error("missing required key '" + key + "'");
    }
    return n.get();
  }

  /** The mapping under {@code key}, or an empty one when absent. */
  public ConfigNode section(String key) throws ConfigException {
    Optional<ConfigNode> n = get(key);
    if (n.isEmpty()) {
      return map(file, line, child(key), Map.of());
    }
    n.get().requireKind(Kind.MAP, "a mapping of keys");
    return n.get();
  }

  public Optional<String> string(String key) throws ConfigException {
    Optional<ConfigNode> n = get(key);
    return n.isEmpty() ? Optional.empty() : Optional.of(n.get().asString());
  }

  public String string(String key, String defaultValue) throws ConfigException {
    return string(key).orElse(defaultValue);
  }

  public String requireString(String key) throws ConfigException {
    return require(key).asString();
  }

  public Optional<Integer> integer(String key, int min, int max) throws ConfigException {
    Optional<ConfigNode> n = get(key);
    return n.isEmpty() ? Optional.empty() : Optional.of(n.get().asInt(min, max));
  }

  public int integer(String key, int min, int max, int defaultValue) throws ConfigException {
    return integer(key, min, max).orElse(defaultValue);
  }

  public Optional<Boolean> bool(String key) throws ConfigException {
    Optional<ConfigNode> n = get(key);
    return n.isEmpty() ? Optional.empty() : Optional.of(n.get().asBoolean());
  }

  public boolean bool(String key, boolean defaultValue) throws ConfigException {
    return bool(key).orElse(defaultValue);
  }

  public Optional<Duration> duration(String key) throws ConfigException {
    Optional<ConfigNode> n = get(key);
    return n.isEmpty() ? Optional.empty() : Optional.of(n.get().asDuration());
  }

  public Duration duration(String key, Duration defaultValue) throws ConfigException {
    return duration(key).orElse(defaultValue);
  }

  public Optional<Path> pathValue(String key) throws ConfigException {
    Optional<ConfigNode> n = get(key);
    return n.isEmpty() ? Optional.empty() : Optional.of(n.get().asPath());
  }

  public Optional<SecretRef> secret(String key) throws ConfigException {
    Optional<ConfigNode> n = get(key);
    return n.isEmpty() ? Optional.empty() : Optional.of(n.get().asSecret());
  }

  /** One of {@code allowed} (case-insensitive), suggesting the nearest on a miss. */
  public Optional<String> choice(String key, String... allowed) throws ConfigException {
    Optional<ConfigNode> n = get(key);
    return n.isEmpty() ? Optional.empty() : Optional.of(n.get().asChoice(allowed));
  }

  /**
   * The constant of {@code type} whose code is written under {@code key} (case-insensitive); an
   * unknown one is an error listing every code, suggesting the nearest.
   */
  public <E extends Enum<E> & Coded> Optional<E> choice(String key, Class<E> type) throws ConfigException {
    Optional<ConfigNode> n = get(key);
    return n.isEmpty() ? Optional.empty() : Optional.of(n.get().asEnum(type));
  }

  /** The list under {@code key} (empty when absent); a lone scalar is not promoted. */
  public List<ConfigNode> list(String key) throws ConfigException {
    Optional<ConfigNode> n = get(key);
    if (n.isEmpty()) {
      return List.of();
    }
    n.get().requireKind(Kind.LIST, "a list");
    return n.get().list;
  }

  /** Each item of the list under {@code key} read with {@code reader}. */
  public <T> List<T> list(String key, Reader<T> reader) throws ConfigException {
    List<T> out = new ArrayList<>();
    for (ConfigNode item : list(key)) {
      out.add(reader.read(item));
    }
    return out;
  }

  /** Reads one configuration value; may throw {@link ConfigException}. */
  @FunctionalInterface
  public interface Reader<T> {
    T read(ConfigNode node) throws ConfigException;
  }

  // ---- scalars ------------------------------------------------------------------------------

  public String asString() throws ConfigException {
    if (kind == Kind.MAP || kind == Kind.LIST || kind == Kind.NULL) {
      throw error("expected a string, got " + describe());
    }
    return scalar;
  }

  public int asInt(int min, int max) throws ConfigException {
    if (kind != Kind.NUMBER) {
      throw error("expected an integer, got " + describe());
    }
    long v;
    try {
      v = Long.parseLong(scalar);
    } catch (NumberFormatException e) {
      throw error("expected an integer, got '" + scalar + "'");
    }
    if (v < min || v > max) {
      throw error("must be between " + min + " and " + max + ", got " + v);
    }
    return (int) v;
  }

  public boolean asBoolean() throws ConfigException {
    if (kind != Kind.BOOLEAN) {
      throw error("expected true or false, got " + describe());
    }
    return Boolean.parseBoolean(scalar);
  }

  public Duration asDuration() throws ConfigException {
    String s = durationText();
    try {
      return Durations.parse(s);
    } catch (IllegalArgumentException e) {
      throw error(e.getMessage());
    }
  }

  private String durationText() throws ConfigException {
    if (kind == Kind.NUMBER && scalar.equals("0")) {
      return "0s";
    }
    if (kind != Kind.STRING) {
      throw error("expected a duration such as 30d, 12h or 90s, got " + describe());
    }
    return scalar;
  }

  public Path asPath() throws ConfigException {
    String s = asString();
    if (s.isBlank()) {
      throw error("expected a path, got an empty string");
    }
    try {
      return Path.of(s);
    } catch (java.nio.file.InvalidPathException e) {
      throw error("not a valid path: " + e.getMessage());
    }
  }

  public SecretRef asSecret() throws ConfigException {
    try {
      return SecretRef.parse(asString());
    } catch (IllegalArgumentException e) {
      throw error(e.getMessage());
    }
  }

  public String asChoice(String... allowed) throws ConfigException {
    String s = asString().toLowerCase(Locale.ROOT);
    for (String a : allowed) {
      if (a.equals(s)) {
        return a;
      }
    }
    String hint = Suggestions.closest(s, Arrays.asList(allowed))
        .map(x -> " (did you mean '" + x + "'?)")
        .orElse("");
    throw error("'" + scalar + "' is not one of " + String.join(", ", allowed) + hint);
  }

  /** This scalar as the constant of {@code type} with that code; see {@link #choice(String, Class)}. */
  public <E extends Enum<E> & Coded> E asEnum(Class<E> type) throws ConfigException {
    E[] constants = type.getEnumConstants();
    String[] codes = new String[constants.length];
    for (int i = 0; i < constants.length; i++) {
      codes[i] = constants[i].code();
    }
    String code = asChoice(codes);
    for (E e : constants) {
      if (e.code().equals(code)) {
        return e;
      }
    }
    throw new AssertionError(code);
  }

  /** This scalar parsed by {@code parser}; its {@link IllegalArgumentException} becomes an error here. */
  public <T> T as(Function<String, T> parser) throws ConfigException {
    String s = asString();
    try {
      return parser.apply(s);
    } catch (IllegalArgumentException e) {
      throw error(e.getMessage());
    }
  }

  /** The items of this list. */
  public List<ConfigNode> items() throws ConfigException {
    requireKind(Kind.LIST, "a list");
    return list;
  }

  private void requireKind(Kind expected, String what) throws ConfigException {
    if (kind != expected) {
      throw error("expected " + what + ", got " + describe());
    }
  }

  private String describe() {
    switch (kind) {
      case MAP: return "a mapping";
      case LIST: return "a list";
      case NULL: return "nothing (null)";
      case NUMBER: return "the number " + scalar;
      case BOOLEAN: return "the boolean " + scalar;
      default: return "'" + scalar + "'";
    }
  }

  String child(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }
}
