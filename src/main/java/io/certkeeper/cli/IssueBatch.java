package io.certkeeper.cli;

import io.certkeeper.ca.IssueRequest;
import io.certkeeper.ca.Profile;
import io.certkeeper.ca.San;
import io.certkeeper.util.BoundedRead;
import io.certkeeper.util.Durations;
import io.certkeeper.x509.KeyType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The file of {@code certkeeper issue --batch}: tab-separated values with a header line naming
 * the columns, in any order — {@code cn} and {@code out-dir} required; {@code sans} (typed names
 * separated by spaces: {@code dns:a.example ip:10.0.0.1}), {@code profile}, {@code key-type} and
 * {@code validity} optional (empty means the default). Blank lines and lines starting with
 * {@code #} are skipped. Every mistake is reported as {@code FILE:LINE: column: message}, all of
 * them at once, before anything is issued.
 */
final class IssueBatch {
  /** The largest batch file read. */
  static final long MAX_BYTES = 64L << 20;
  /** The most rows one batch issues. */
  static final int MAX_ROWS = 1_000_000;

  static final Set<String> COLUMNS = Set.of("cn", "sans", "profile", "key-type", "validity", "out-dir");

  /** One row: what to issue and where to write it. */
  record Row(int line, IssueRequest request, Path outDir) {}

  /** Rows read, or every mistake found. */
  record Parsed(List<Row> rows, List<String> errors) {}

  private IssueBatch() {}

  /**
   * Reads {@code file}.
   *
   * @param keyType the key type of rows that name none
   * @param validity the validity of rows that name none
   * @param base relative {@code out-dir}s are resolved against it
   */
  static Parsed read(Path file, KeyType keyType, Duration validity, Path base) throws IOException {
    String text = BoundedRead.text(file, MAX_BYTES, StandardCharsets.UTF_8);
    List<Row> rows = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    Map<String, Integer> column = null;
    for (int n = 0; n < lines.length; n++) {
      String line = lines[n];
      int lineNo = n + 1;
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] cells = line.split("\t", -1);
      if (column == null) {
        column = header(file, lineNo, cells, errors);
        if (column == null) {
          return new Parsed(List.of(), errors);
        }
        continue;
      }
      if (cells.length != column.size()) {
        errors.add(where(file, lineNo) + cells.length + " columns, the header has " + column.size());
        continue;
      }
      if (rows.size() + errors.size() >= MAX_ROWS) {
        errors.add(where(file, lineNo) + "more than " + MAX_ROWS + " rows; split the file");
        break;
      }
      row(file, lineNo, cells, column, keyType, validity, base, rows, errors);
    }
    if (column == null) {
      errors.add(file + ": empty: the first line must name the columns (cn, out-dir, and any of sans, profile,"
          + " key-type, validity), separated by tabs");
    }
    return new Parsed(rows, errors);
  }

  private static Map<String, Integer> header(Path file, int lineNo, String[] cells, List<String> errors) {
    Map<String, Integer> column = new HashMap<>();
    for (int i = 0; i < cells.length; i++) {
      String name = cells[i].strip().toLowerCase(Locale.ROOT);
      if (!COLUMNS.contains(name)) {
        errors.add(where(file, lineNo) + "unknown column '" + io.certkeeper.util.Printable.line(cells[i])
            + "' (columns: cn, out-dir, sans, profile, key-type, validity; separated by tabs)");
      } else if (column.put(name, i) != null) {
        errors.add(where(file, lineNo) + "column '" + name + "' given twice");
      }
    }
    for (String required : List.of("cn", "out-dir")) {
      if (!column.containsKey(required)) {
        errors.add(where(file, lineNo) + "the header has no '" + required + "' column");
      }
    }
    return errors.isEmpty() ? column : null;
  }

  private static void row(Path file, int lineNo, String[] cells, Map<String, Integer> column, KeyType defaultType,
      Duration defaultValidity, Path base, List<Row> rows, List<String> errors) {
    int before = errors.size();
    String cn = cell(cells, column, "cn");
    if (cn.isEmpty()) {
      errors.add(where(file, lineNo) + "cn: empty");
    }
    List<San> sans = new ArrayList<>();
    for (String s : cell(cells, column, "sans").split(" +")) {
      if (s.isEmpty()) {
        continue;
      }
      try {
        sans.add(San.parse(s));
      } catch (IllegalArgumentException e) {
        errors.add(where(file, lineNo) + "sans: " + e.getMessage());
      }
    }
    String at = where(file, lineNo);
    Profile profile = optional(cells, column, "profile", Profile::parse, Profile.DEFAULT, at, errors);
    KeyType type = optional(cells, column, "key-type", KeyType::parse, defaultType, at, errors);
    Duration validity = optional(cells, column, "validity", Durations::parse, defaultValidity, at, errors);
    String out = cell(cells, column, "out-dir");
    if (out.isEmpty()) {
      errors.add(where(file, lineNo) + "out-dir: empty");
    }
    if (errors.size() > before) {
      return;
    }
    try {
      rows.add(new Row(lineNo, IssueRequest.withNewKey(cn, sans, type, validity, profile),
          base.resolve(out).toAbsolutePath().normalize()));
    } catch (IllegalArgumentException e) {
      errors.add(where(file, lineNo) + e.getMessage());
    }
  }

  /** An optional column's value: {@code otherwise} when empty; a mistake is added to {@code errors}. */
  private static <T> T optional(String[] cells, Map<String, Integer> column, String name,
      java.util.function.Function<String, T> parse, T otherwise, String at, List<String> errors) {
    String text = cell(cells, column, name);
    if (text.isEmpty()) {
      return otherwise;
    }
    try {
      return parse.apply(text);
    } catch (IllegalArgumentException e) {
      errors.add(at + name + ": " + e.getMessage());
      return otherwise;
    }
  }

  private static String cell(String[] cells, Map<String, Integer> column, String name) {
    Integer i = column.get(name);
    return i == null ? "" : cells[i].strip();
  }

  static String where(Path file, int line) {
    return file + ":" + line + ": ";
  }
}
