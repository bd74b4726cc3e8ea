package io.certkeeper.files;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
 * <p>Bounded: at most {@link #MAX_DEPTH} levels below the directory, at most {@code limit} files.
 * Symbolic links to files are matched (as {@code /etc/ssl/certs} holds them); links to directories
 * are not walked, so a loop or a link out of the tree cannot widen the walk.
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

  /**
   * The files that match, in walk order, at most {@code limit}; a directory that cannot be read
   * goes into {@code failed} with why, and the walk goes on. A literal pattern is its own file,
   * whether or not it exists (reading it says why not).
   */
  public List<Path> files(int limit, Map<Path, IOException> failed) {
    if (literal) {
      return List.of(base);
    }
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(base, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(base)) {
      return out; // nothing there yet: matches nothing
    }
    try {
      Files.walkFileTree(base, EnumSet.noneOf(java.nio.file.FileVisitOption.class), MAX_DEPTH,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
              if (matcher.matches(f) && (a.isRegularFile() || (a.isSymbolicLink() && Files.isRegularFile(f)))) {
                out.add(f);
              }
              return out.size() >= limit ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) {
              failed.put(f, e);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      failed.put(base, e);
    }
    return out;
  }
}
