package io.certkeeper.files;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An absolute path pattern of {@code files:} ({@code /etc/ssl/**}{@code /*.pem}): the directory
 * before its first wildcard is walked, and the files under it whose whole path matches are the
 * pattern's. {@code *} and {@code ?} stay within one path element, {@code **} crosses them, and
 * {@code {a,b}} and {@code [..]} are as in {@link java.nio.file.FileSystem#getPathMatcher}.
 *
 * <p>{@code **} stands for one or more directories: {@code /etc/ssl/**}{@code /*.pem} does not match
 * {@code /etc/ssl/a.pem} (add {@code /etc/ssl/*.pem} for that).
 *
 * <p>Bounded: at most {@link #MAX_DEPTH} levels below the directory, {@link #MAX_VISITED} entries,
 * {@code limit} files, one file system. Symbolic links to files are matched (as
 * {@code /etc/ssl/certs} holds them), and the base directory may itself be a link; links to
 * directories below it are not walked, so a loop or a link out of the tree cannot widen the walk.
 */
public final class GlobPattern {
  /** How deep below its base directory a pattern is walked. */
  public static final int MAX_DEPTH = 16;

  private final String pattern;
  private final Path base;
  private final PathMatcher matcher;
  private final boolean literal;

  private GlobPattern(String pattern, Path base, PathMatcher matcher, boolean literal) {
    this.pattern = pattern;
    this.base = base;
    this.matcher = matcher;
    this.literal = literal;
  }

  /** The pattern {@code text}, an absolute path with or without wildcards. */
  public static GlobPattern of(String text) {
    Objects.requireNonNull(text, "text");
    if (!text.startsWith("/")) {
      throw new IllegalArgumentException("not an absolute path: " + text);
    }
    int wild = firstWildcard(text);
    if (wild < 0) {
      return new GlobPattern(text, Path.of(text).normalize(), null, true);
    }
    int slash = text.lastIndexOf('/', wild);
    Path base = Path.of(slash == 0 ? "/" : text.substring(0, slash)).normalize();
    return new GlobPattern(text, base, FileSystems.getDefault().getPathMatcher("glob:" + text), false);
  }

  private static int firstWildcard(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '*' || c == '?' || c == '[' || c == '{') {
        return i;
      }
    }
    return -1;
  }

  /** Whether {@code p} matches this pattern. */
  public boolean matches(Path p) {
    return literal ? base.equals(p.normalize()) : matcher.matches(p);
  }

  /** Whether the pattern names one file, without wildcards. */
  public boolean literal() {
    return literal;
  }

  /** The directory walked (the file itself for a literal pattern). */
  public Path base() {
    return base;
  }

  @Override
  public String toString() {
    return pattern;
  }

  /** Entries (files and directories) one walk looks at, at most. */
  public static final int MAX_VISITED = 200_000;

  /**
   * What one walk found: the files that match (in walk order), the base directory's own failure
   * (missing, not searchable: a problem of the pattern), and the directories below it that could
   * not be read (skipped, for a log line: a walk of {@code /etc/ssl/**} meets {@code private}).
   */
  public record Walk(List<Path> files, java.util.Optional<IOException> baseFailure, Map<Path, IOException> skipped,
      boolean truncated) {}

  /**
   * The files that match, at most {@code limit}. A literal pattern is its own file, whether or not
   * it exists (reading it says why not). The base directory may be a symbolic link (as
   * {@code /etc/ssl/certs} is on some systems); links below it are followed to files only. The
   * walk stays on the base's file system, looks at {@link #MAX_VISITED} entries at most, and ends
   * early once {@code stop} says so.
   */
  public Walk walk(int limit, java.util.function.BooleanSupplier stop) {
    if (literal) {
      return new Walk(List.of(base), java.util.Optional.empty(), Map.of(), false);
    }
    List<Path> out = new ArrayList<>();
    Map<Path, IOException> skipped = new java.util.LinkedHashMap<>();
    Path start;
    java.nio.file.FileStore store;
    try {
      start = base.toRealPath();
      if (!Files.isDirectory(start)) {
        return new Walk(out, java.util.Optional.of(new java.nio.file.NotDirectoryException(base.toString())),
            skipped, false);
      }
      store = Files.getFileStore(start);
    } catch (IOException e) {
      return new Walk(out, java.util.Optional.of(e), skipped, false);
    }
    int[] visited = {0};
    boolean[] truncated = {false};
    try {
      Files.walkFileTree(start, EnumSet.noneOf(java.nio.file.FileVisitOption.class), MAX_DEPTH,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
              if (stop.getAsBoolean() || ++visited[0] > MAX_VISITED) {
                truncated[0] = !stop.getAsBoolean();
                return FileVisitResult.TERMINATE;
              }
              // /proc, /sys, network mounts under a wide pattern: not this pattern's business
              return dir.equals(start) || Files.getFileStore(dir).equals(store) ? FileVisitResult.CONTINUE
                  : FileVisitResult.SKIP_SUBTREE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
              if (++visited[0] > MAX_VISITED) {
                truncated[0] = true;
                return FileVisitResult.TERMINATE;
              }
              Path named = base.resolve(start.relativize(f)); // as the pattern spells it
              if (matcher.matches(named) && (a.isRegularFile() || (a.isSymbolicLink() && Files.isRegularFile(f)))) {
                out.add(named);
              }
              return out.size() >= limit ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) {
              skipped.put(base.resolve(start.relativize(f)), e);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      return new Walk(out, java.util.Optional.of(e), skipped, truncated[0]);
    }
    return new Walk(out, java.util.Optional.empty(), skipped, truncated[0]);
  }
}
