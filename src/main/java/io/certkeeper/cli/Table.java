package io.certkeeper.cli;

import io.certkeeper.util.Printable;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A table for people: a header line, then one line per row, each column as wide as its widest
 * value, two spaces between columns, the last column unpadded. Every cell is made printable
 * ({@link Printable#line}), so text from a certificate or a peer can neither break a row nor
 * reorder it; an absent value shows as {@code -}.
 *
 * <pre>{@code
 * Table t = Table.of("ENDPOINT", "STATUS");
 * t.row("api.example.com:443", "ok");
 * t.print(out);
 * // ENDPOINT             STATUS
 * // api.example.com:443  ok
 * }</pre>
 */
final class Table {
  private static final String GAP = "  ";

  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  private Table(List<String> header) {
    this.header = header;
  }

  /** A table with these column titles. */
  static Table of(String... header) {
    if (header.length == 0) {
      throw new IllegalArgumentException("a table needs at least one column");
    }
    return new Table(List.of(header));
  }

  /** Adds a row of exactly one cell per column; {@code null} cells show as {@code -}. */
  Table row(Object... cells) {
    if (cells.length != header.size()) {
      throw new IllegalArgumentException("expected " + header.size() + " cells, got " + cells.length);
    }
    rows.add(Arrays.stream(cells).map(c -> c == null ? "-" : Printable.line(Objects.toString(c))).toList());
    return this;
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  /** Prints the header and the rows. */
  void print(PrintWriter out) {
    int[] widths = new int[header.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = header.get(i).length();
      for (List<String> r : rows) {
        widths[i] = Math.max(widths[i], r.get(i).codePointCount(0, r.get(i).length()));
      }
    }
    line(out, header, widths);
    for (List<String> r : rows) {
      line(out, r, widths);
    }
  }

  private static void line(PrintWriter out, List<String> cells, int[] widths) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String c = cells.get(i);
      b.append(c);
      if (i < cells.size() - 1) {
        b.append(" ".repeat(widths[i] - c.codePointCount(0, c.length()))).append(GAP);
      }
    }
    out.println(b.toString().stripTrailing());
  }
}
