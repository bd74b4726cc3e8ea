package io.certkeeper.util;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A file listing targets, one per line: blank lines are skipped and {@code #} starts a comment.
 * Used by {@code probe --targets-file}, {@code endpoint import} and a group's {@code targets-file}.
 */
public final class TargetsFile {
  /** A larger file is refused. */
  public static final long MAX_BYTES = 16L * 1024 * 1024;

  /** One target and the line it is on. */
  public record Line(int number, String text) {}

  private TargetsFile() {}

  /**
   * The targets of {@code file}, in order.
   *
   * @throws IOException naming the file when it cannot be read or is too large
   */
  public static List<Line> read(Path file) throws IOException {
    List<String> lines;
    try (BufferedReader r = new BufferedReader(new StringReader(
        BoundedRead.text(file, MAX_BYTES, StandardCharsets.UTF_8)))) {
      lines = r.lines().toList();
    }
    List<Line> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String s = lines.get(i);
      int hash = s.indexOf('#');
      if (hash >= 0) {
        s = s.substring(0, hash);
      }
      s = s.strip();
      if (!s.isEmpty()) {
        out.add(new Line(i + 1, s));
      }
    }
    return out;
  }
}
