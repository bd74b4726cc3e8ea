package io.certkeeper.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.util.AtomicFiles;
import io.certkeeper.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reading a backup file back: {@link #check} refuses anything but an intact archive of the layout
 * {@link BackupArchive} writes, without unpacking a byte to disk; {@link #extract} writes a checked
 * archive into an empty folder, checking every file again as it goes.
 *
 * <p>An archive is intact when it has a manifest, when the manifest lists exactly the files the
 * zip holds, each with its size and SHA-256, and when every file has a known place in the data
 * directory (the store, its password, {@code ca/}, the four files of a managed generation). Names
 * that could land outside the folder ({@code ../}, absolute paths, backslashes, control
 * characters), symbolic links, folder entries, encrypted entries and duplicates are refused, and
 * sizes are bounded per entry, in total and in number of entries, counting the bytes actually
 * inflated, not the sizes the zip claims.
 */
final class RestoreArchive {
  /** Problems reported at most; the rest are counted. */
  static final int MAX_PROBLEMS = 20;

  private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
  /** An ACME account's key: {@code acme/NAME/account.key.pem}. */
  private static final Pattern ACME_KEY = Pattern.compile(
      BackupArchive.ACME_DIR + "/[A-Za-z0-9][A-Za-z0-9_.-]{0,62}/account\\.key\\.pem");
  private static final Pattern MANAGED_FILE = Pattern.compile(
      "managed/(" + ManagedCopy.NAME.pattern() + ")/generations/(" + ManagedCopy.SERIAL.pattern() + ")/([a-z]+\\.pem)");
  private static final Pattern MANAGED_LINK = Pattern.compile("managed/(" + ManagedCopy.NAME.pattern() + ")/current");
  private static final Pattern LINK_TARGET = Pattern.compile("generations/(" + ManagedCopy.SERIAL.pattern() + ")");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final int MAX_NAME = 1024;

  /**
   * How much an archive may hold.
   *
   * @param maxEntries entries in the zip
   * @param maxStoreBytes the database file, inflated
   * @param maxFileBytes any other file, inflated (keys, certificates, the password, the manifest)
   * @param maxTotalBytes everything, inflated
   */
  record Limits(int maxEntries, long maxStoreBytes, long maxFileBytes, long maxTotalBytes) {
    /** Generous for any real store (a million certificates is a few hundred megabytes), finite for a zip bomb. */
    static final Limits DEFAULT = new Limits(100_000, 4L << 30, 16L << 20, 8L << 30);
  }

  /** An archive that passed {@link #check}: its manifest, and what it holds. */
  record Checked(BackupArchive.Manifest manifest, long caFiles, long managedGenerations) {
    long bytes() {
      return manifest.files().stream().mapToLong(BackupArchive.Entry::size).sum();
    }

    boolean hasSecret() {
      return manifest.files().stream().anyMatch(f -> f.path().equals(BackupArchive.STORE_SECRET));
    }
  }

  /** The archive is not one to restore; one line per problem. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    Refused(List<String> problems) {
      super(problems.size() + " problems, the first: " + problems.get(0));
      this.problems = List.copyOf(problems);
    }

    List<String> problems() {
      return problems;
    }
  }

  private RestoreArchive() {}

  /**
   * Checks {@code zip} through and through.
   *
   * @throws Refused naming every problem found (up to {@link #MAX_PROBLEMS})
   */
  static Checked check(Path zip, Limits limits) throws Refused {
    Problems problems = new Problems();
    List<ZipDirectory.Item> items;
    try {
      items = ZipDirectory.read(zip, limits.maxEntries());
    } catch (IOException e) {
      throw new Refused(List.of(io.certkeeper.util.ErrorText.about(zip, e)));
    }
    Set<String> names = new LinkedHashSet<>();
    long declared = 0;
    for (ZipDirectory.Item item : items) {
      String name = item.name();
      Optional<String> bad = badName(item.directory() && name.endsWith("/") ? name.substring(0, name.length() - 1) : name);
      if (bad.isPresent()) {
        problems.add("entry '" + printable(name) + "': " + bad.get());
        continue;
      }
      if (!names.add(name)) {
        problems.add("entry " + name + ": appears twice");
      }
      if (item.symlink()) {
        problems.add("entry " + name + ": a symbolic link (a backup holds regular files only)");
      } else if (item.directory()) {
        problems.add("entry " + name + ": a folder entry (a backup holds regular files only)");
      } else if (item.special()) {
        problems.add("entry " + name + ": not a regular file");
      }
      if (item.encrypted()) {
        problems.add("entry " + name + ": encrypted, which certkeeper never writes");
      }
      if (item.method() != ZipEntry.STORED && item.method() != ZipEntry.DEFLATED) {
        problems.add("entry " + name + ": compression method " + item.method() + ", not stored or deflated");
      }
      long cap = cap(name, limits);
      if (item.size() > cap) {
        problems.add("entry " + name + ": " + item.size() + " bytes, more than the " + cap + " allowed");
      }
      declared += item.size();
    }
    if (declared > limits.maxTotalBytes()) {
      problems.add("the files add up to " + declared + " bytes, more than the " + limits.maxTotalBytes() + " allowed");
    }
    if (!names.contains(BackupArchive.MANIFEST)) {
      problems.add("no " + BackupArchive.MANIFEST + ": not a certkeeper backup, or cut short");
    }
    problems.throwIfAny();

    try (ZipFile z = new ZipFile(zip.toFile())) {
      byte[] manifestBytes = read(z, BackupArchive.MANIFEST, limits.maxFileBytes());
      BackupArchive.Manifest m = parseManifest(manifestBytes, problems);
      problems.throwIfAny();
      Map<String, BackupArchive.Entry> listed = new HashMap<>();
      for (BackupArchive.Entry e : m.files()) {
        if (listed.put(e.path(), e) != null) {
          problems.add(BackupArchive.MANIFEST + ": " + e.path() + " is listed twice");
        }
        Optional<String> bad = badName(e.path());
        if (bad.isPresent()) {
          problems.add(BackupArchive.MANIFEST + ": '" + printable(e.path()) + "': " + bad.get());
        } else if (kind(e.path()).isEmpty()) {
          problems.add("entry " + e.path() + ": unknown (not the store, its password, ca/ or a managed generation)");
        } else if (!names.contains(e.path())) {
          problems.add("entry " + e.path() + ": listed in the manifest but missing from the archive");
        }
      }
      for (String name : names) {
        if (!name.equals(BackupArchive.MANIFEST) && !listed.containsKey(name)) {
          problems.add("entry " + name + ": not listed in the manifest");
        }
      }
      if (!listed.containsKey(BackupArchive.STORE_FILE)) {
        problems.add("no " + BackupArchive.STORE_FILE + ": the archive holds no store");
      }
      checkLinks(m, listed.keySet(), problems);
      problems.throwIfAny();
      long total = 0;
      for (BackupArchive.Entry e : m.files()) {
        try (InputStream in = z.getInputStream(Objects.requireNonNull(z.getEntry(e.path())))) {
          Digested d = digest(in, OutputStream.nullOutputStream(), cap(e.path(), limits));
          total += d.size();
          mismatch(e, d).ifPresent(problems::add);
        }
        if (total > limits.maxTotalBytes()) {
          problems.add("the files inflate to more than the " + limits.maxTotalBytes() + " bytes allowed");
          break;
        }
      }
      problems.throwIfAny();
      long ca = m.files().stream().filter(f -> f.path().startsWith(BackupArchive.CA_DIR + "/")).count();
      long generations = m.files().stream().filter(f -> f.path().startsWith(BackupArchive.MANAGED_DIR + "/"))
          .map(f -> f.path().substring(0, f.path().lastIndexOf('/'))).distinct().count();
      return new Checked(m, ca, generations);
    } catch (IOException e) {
      problems.add(io.certkeeper.util.ErrorText.about(zip, e));
      problems.throwIfAny();
      throw new AssertionError(e);
    }
  }

  /**
   * Writes the files and links of the checked archive {@code zip} into the empty folder {@code
   * into}: folders 0700, files 0600, each file's size and SHA-256 checked again and fsynced, the
   * folders fsynced last.
   *
   * @throws IOException when a file no longer matches (the archive changed since the check) or
   *     cannot be written; {@code into} is then left for the caller to delete
   */
  static void extract(Path zip, Checked checked, Limits limits, Path into) throws IOException {
    Set<Path> dirs = new TreeSet<>();
    dirs.add(into);
    try (ZipFile z = new ZipFile(zip.toFile())) {
      for (BackupArchive.Entry e : checked.manifest().files()) {
        Path target = inside(into, e.path());
        Path parent = target.getParent();
        for (Path d = parent; !d.equals(into); d = d.getParent()) {
          dirs.add(d);
        }
        Files.createDirectories(parent);
        Files.createFile(target, PosixFilePermissions.asFileAttribute(AtomicFiles.PRIVATE));
        Files.setPosixFilePermissions(target, AtomicFiles.PRIVATE);
        ZipEntry entry = z.getEntry(e.path());
        if (entry == null) {
          throw new IOException(e.path() + ": gone from the archive since it was checked");
        }
        try (InputStream in = z.getInputStream(entry);
            FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
          Digested d = digest(in, Channels.newOutputStream(ch), cap(e.path(), limits));
          Optional<String> bad = mismatch(e, d);
          if (bad.isPresent()) {
            throw new IOException(bad.get() + " (the archive changed since it was checked)");
          }
          ch.force(true);
        }
      }
    }
    for (BackupArchive.Link l : checked.manifest().links()) {
      Path link = inside(into, l.path());
      Files.createSymbolicLink(link, Path.of(l.target()));
    }
    for (Path d : dirs) {
      Files.setPosixFilePermissions(d, DIR_MODE);
    }
    for (Path d : dirs) {
      AtomicFiles.fsyncDirectory(d);
    }
  }

  /** Where {@code path} of the archive lands under {@code into}; never outside it. */
  private static Path inside(Path into, String path) throws IOException {
    Path target = into.resolve(path).normalize();
    if (!target.startsWith(into) || target.equals(into)) {
      throw new IOException(path + ": lands outside " + into);
    }
    return target;
  }

  /** Why {@code name} may not be a path in the data directory, if it may not. */
  static Optional<String> badName(String name) {
    if (name.isEmpty()) {
      return Optional.of("an empty name");
    }
    if (name.length() > MAX_NAME) {
      return Optional.of("a name longer than " + MAX_NAME + " characters");
    }
    if (name.startsWith("/")) {
      return Optional.of("an absolute path");
    }
    if (name.indexOf('\\') >= 0) {
      return Optional.of("a backslash in the name");
    }
    if (name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      return Optional.of("a control character in the name");
    }
    for (String segment : name.split("/", -1)) {
      if (segment.equals("..")) {
        return Optional.of("a '..' segment (path traversal)");
      }
      if (segment.isEmpty() || segment.equals(".")) {
        return Optional.of("an empty or '.' segment");
      }
    }
    return Optional.empty();
  }

  /** What part of the data directory {@code path} belongs to; empty when it is none certkeeper backs up. */
  static Optional<String> kind(String path) {
    if (path.equals(BackupArchive.STORE_FILE)) {
      return Optional.of("store");
    }
    if (path.equals(BackupArchive.STORE_SECRET)) {
      return Optional.of("secret");
    }
    if (path.startsWith(BackupArchive.CA_DIR + "/")) {
      return Optional.of("ca");
    }
    if (ACME_KEY.matcher(path).matches()) {
      return Optional.of("acme");
    }
    java.util.regex.Matcher m = MANAGED_FILE.matcher(path);
    if (m.matches() && ManagedCopy.GENERATION_FILES.contains(m.group(3))) {
      return Optional.of("managed");
    }
    return Optional.empty();
  }

  private static long cap(String path, Limits limits) {
    return path.equals(BackupArchive.STORE_FILE) ? limits.maxStoreBytes() : limits.maxFileBytes();
  }

  private static void checkLinks(BackupArchive.Manifest m, Set<String> files, Problems problems) {
    Set<String> seen = new java.util.HashSet<>();
    for (BackupArchive.Link l : m.links()) {
      java.util.regex.Matcher path = MANAGED_LINK.matcher(l.path());
      java.util.regex.Matcher target = LINK_TARGET.matcher(l.target());
      if (!path.matches()) {
        problems.add(BackupArchive.MANIFEST + ": link '" + printable(l.path()) + "' is not managed/NAME/current");
        continue;
      }
      if (!seen.add(l.path())) {
        problems.add(BackupArchive.MANIFEST + ": link " + l.path() + " is listed twice");
      }
      if (!target.matches()) {
        problems.add(BackupArchive.MANIFEST + ": link " + l.path() + " points at '" + printable(l.target())
            + "', not at generations/SERIAL");
        continue;
      }
      String dir = "managed/" + path.group(1) + "/" + l.target() + "/";
      for (String f : ManagedCopy.GENERATION_FILES) {
        if (!files.contains(dir + f)) {
          problems.add(BackupArchive.MANIFEST + ": link " + l.path() + " points at " + l.target()
              + ", which lacks " + f);
        }
      }
    }
  }

  private static BackupArchive.Manifest parseManifest(byte[] bytes, Problems problems) {
    JsonNode root;
    try {
      root = Json.mapper().readTree(bytes);
    } catch (IOException e) {
      problems.add(BackupArchive.MANIFEST + ": not JSON (" + Main.oneLine(e.getMessage()) + ")");
      return null;
    }
    if (root == null || !root.isObject()) {
      problems.add(BackupArchive.MANIFEST + ": not a JSON object");
      return null;
    }
    int format = root.path("format").asInt(-1);
    if (format != 1 && format != 2) {
      problems.add(BackupArchive.MANIFEST + ": format " + root.path("format")
          + ", not one this version reads (1 or 2): written by a newer certkeeper?");
      return null;
    }
    Instant created = null;
    try {
      created = root.hasNonNull("createdAt") ? Instant.parse(root.get("createdAt").asText()) : null;
    } catch (DateTimeParseException e) {
      problems.add(BackupArchive.MANIFEST + ": createdAt is not a time: " + printable(root.get("createdAt").asText()));
    }
    List<BackupArchive.Entry> files = new ArrayList<>();
    JsonNode fileNodes = root.path("files");
    if (!fileNodes.isArray()) {
      problems.add(BackupArchive.MANIFEST + ": no files list");
      return null;
    }
    for (JsonNode f : fileNodes) {
      String path = f.path("path").asText("");
      String sha = f.path("sha256").asText("");
      if (!f.path("path").isTextual() || !f.path("size").canConvertToLong() || f.path("size").asLong() < 0
          || !SHA256.matcher(sha).matches()) {
        problems.add(BackupArchive.MANIFEST + ": file entry " + printable(f.toString()) + " lacks a path, size or sha256");
        continue;
      }
      files.add(new BackupArchive.Entry(path, f.path("size").asLong(), sha));
    }
    List<BackupArchive.Link> links = new ArrayList<>();
    JsonNode linkNodes = root.path("links");
    if (format >= 2 && !linkNodes.isMissingNode() && !linkNodes.isNull()) {
      if (!linkNodes.isArray()) {
        problems.add(BackupArchive.MANIFEST + ": links is not a list");
      }
      for (JsonNode l : linkNodes) {
        if (!l.path("path").isTextual() || !l.path("target").isTextual()) {
          problems.add(BackupArchive.MANIFEST + ": link " + printable(l.toString()) + " lacks a path or target");
          continue;
        }
        links.add(new BackupArchive.Link(l.get("path").asText(), l.get("target").asText()));
      }
    } else if (format == 1 && linkNodes.isArray() && !linkNodes.isEmpty()) {
      problems.add(BackupArchive.MANIFEST + ": format 1 has no links");
    }
    return new BackupArchive.Manifest(format, root.path("version").asText("unknown"), created,
        root.path("schemaVersion").asText("unknown"), files, links);
  }

  private static byte[] read(ZipFile z, String name, long cap) throws IOException {
    try (InputStream in = z.getInputStream(Objects.requireNonNull(z.getEntry(name)))) {
      byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, cap + 1));
      if (b.length > cap) {
        throw new IOException(name + " inflates to more than " + cap + " bytes");
      }
      return b;
    }
  }

  private record Digested(long size, String sha256, boolean overCap) {}

  /** Copies at most {@code cap + 1} bytes of {@code in} to {@code out}, hashing them. */
  private static Digested digest(InputStream in, OutputStream out, long cap) throws IOException {
    MessageDigest sha = sha256();
    byte[] buf = new byte[64 * 1024];
    long size = 0;
    int n;
    while ((n = in.read(buf, 0, (int) Math.min(buf.length, cap + 1 - size))) > 0) {
      sha.update(buf, 0, n);
      out.write(buf, 0, n);
      size += n;
      if (size > cap) {
        return new Digested(size, "", true);
      }
    }
    out.flush();
    return new Digested(size, HexFormat.of().formatHex(sha.digest()), false);
  }

  private static Optional<String> mismatch(BackupArchive.Entry e, Digested d) {
    if (d.overCap()) {
      return Optional.of("entry " + e.path() + ": inflates to more than the " + (d.size() - 1)
          + " bytes allowed (a zip bomb?)");
    }
    if (d.size() != e.size()) {
      return Optional.of("entry " + e.path() + ": " + d.size() + " bytes, the manifest says " + e.size()
          + " (tampered or damaged)");
    }
    if (!d.sha256().equals(e.sha256().toLowerCase(Locale.ROOT))) {
      return Optional.of("entry " + e.path() + ": SHA-256 " + d.sha256() + ", the manifest says " + e.sha256()
          + " (tampered or damaged)");
    }
    return Optional.empty();
  }

  /** A name as it can be printed on one line. */
  private static String printable(String s) {
    String shown = s.length() > 200 ? s.substring(0, 200) + "..." : s;
    StringBuilder b = new StringBuilder();
    shown.codePoints().forEach(c -> {
      if (c < 0x20 || c == 0x7f) {
        b.append(String.format(Locale.ROOT, "\\x%02x", c));
      } else {
        b.appendCodePoint(c);
      }
    });
    return b.toString();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** Problems collected while checking, up to {@link #MAX_PROBLEMS}. */
  private static final class Problems {
    private final List<String> lines = new ArrayList<>();
    private int more;

    void add(String line) {
      if (lines.size() < MAX_PROBLEMS) {
        lines.add(line);
      } else {
        more++;
      }
    }

    void throwIfAny() throws Refused {
      if (!lines.isEmpty()) {
        List<String> all = new ArrayList<>(lines);
        if (more > 0) {
          all.add("and " + more + " more problems");
        }
        throw new Refused(all);
      }
    }
  }
}
