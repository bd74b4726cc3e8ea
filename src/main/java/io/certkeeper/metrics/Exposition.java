package io.certkeeper.metrics;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One scrape in the Prometheus text exposition format (version 0.0.4): metric families, each with
 * {@code # HELP} and {@code # TYPE} and its samples. The output is stable: families sorted by name,
 * samples by their label values, labels in the order the family declares them, and a label whose
 * value is empty left out (Prometheus treats the two alike).
 *
 * <pre>{@code
 * Exposition e = new Exposition();
 * e.gauge("certkeeper_probe_success", "1 when ...", "endpoint").add(1, "web:443");
 * e.writeTo(writer);
 * }</pre>
 */
public final class Exposition {
  /** The HTTP Content-Type of this format. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  /** The metric types this writer emits. */
  public enum Type {
    GAUGE, COUNTER, SUMMARY;

    String code() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Map<String, Family> families = new TreeMap<>();

  /** A new (or the existing) gauge family. */
  public Family gauge(String name, String help, String... labelNames) {
    return family(name, Type.GAUGE, help, labelNames);
  }

  /** A new (or the existing) counter family; its name ends in {@code _total}. */
  public Family counter(String name, String help, String... labelNames) {
    if (!name.endsWith("_total")) {
      throw new IllegalArgumentException("a counter's name ends in _total: " + name);
    }
    return family(name, Type.COUNTER, help, labelNames);
  }

  /** A summary without quantiles: samples are added as {@code name_sum} and {@code name_count}. */
  public Family summary(String name, String help, String... labelNames) {
    return family(name, Type.SUMMARY, help, labelNames);
  }

  private Family family(String name, Type type, String help, String... labelNames) {
    Family existing = families.get(name);
    if (existing != null) {
      if (existing.type != type || !Arrays.equals(existing.labelNames, labelNames)) {
        throw new IllegalArgumentException("metric " + name + " declared twice, differently");
      }
      return existing;
    }
    Family f = new Family(name, type, help, labelNames);
    families.put(name, f);
    return f;
  }

  /** The families so far, by name. */
  List<Family> families() {
    return List.copyOf(families.values());
  }

  /** Writes every family; families without samples are written with HELP and TYPE only. */
  public void writeTo(Writer out) throws IOException {
    StringBuilder b = new StringBuilder();
    for (Family f : families.values()) {
      f.appendTo(b);
    }
    out.write(b.toString());
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (Family f : families.values()) {
      f.appendTo(b);
    }
    return b.toString();
  }

  /** One metric family: a name, a type, a help text and the names of its labels. */
  public static final class Family {
    private final String name;
    private final Type type;
    private final String help;
    private final String[] labelNames;
    /** Samples by their rendered label set (and suffix), which also orders them. */
    private final Map<List<String>, String> samples = new TreeMap<>(Family::compareLists);

    private Family(String name, Type type, String help, String[] labelNames) {
      if (!METRIC_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("invalid metric name: " + name);
      }
      for (String l : labelNames) {
        if (!LABEL_NAME.matcher(l).matches() || l.startsWith("__")) {
          throw new IllegalArgumentException("invalid label name " + l + " in " + name);
        }
      }
      if (new java.util.HashSet<>(Arrays.asList(labelNames)).size() != labelNames.length) {
        throw new IllegalArgumentException("duplicate label name in " + name);
      }
      this.name = name;
      this.type = type;
      this.help = Objects.requireNonNull(help, "help");
      this.labelNames = labelNames.clone();
    }

    String name() {
      return name;
    }

    /**
     * Adds a sample with one value per label name, in order (empty: label left out). The first
     * sample for a label set wins: a second one with the same labels is ignored, since Prometheus
     * rejects a scrape with duplicate series.
     *
     * @return whether the sample was added
     */
    public boolean add(double value, String... labelValues) {
      if (type == Type.SUMMARY) {
        throw new IllegalStateException(name + " is a summary: use addSummary");
      }
      return put("", value, labelValues);
    }

    /** Adds a summary's {@code _sum} and {@code _count} for one label set. */
    public void addSummary(double sum, long count, String... labelValues) {
      if (type != Type.SUMMARY) {
        throw new IllegalStateException(name + " is not a summary");
      }
      put("_count", count, labelValues);
      put("_sum", sum, labelValues);
    }

    private boolean put(String suffix, double value, String... labelValues) {
      if (labelValues.length != labelNames.length) {
        throw new IllegalArgumentException(name + " takes " + labelNames.length + " label values, got "
            + labelValues.length);
      }
      List<String> key = new ArrayList<>(labelValues.length + 1);
      for (String v : labelValues) {
        key.add(v == null ? "" : v);
      }
      key.add(suffix);
      if (samples.containsKey(key)) {
        return false;
      }
      samples.put(key, name + suffix + labels(labelValues) + " " + format(value));
      return true;
    }

    private String labels(String[] values) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < labelNames.length; i++) {
        if (values[i] == null || values[i].isEmpty()) {
          continue;
        }
        b.append(b.length() == 0 ? "{" : ",").append(labelNames[i]).append("=\"").append(escapeLabelValue(values[i]))
            .append('"');
      }
      return b.length() == 0 ? "" : b.append('}').toString();
    }

    void appendTo(StringBuilder b) {
      b.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
      b.append("# TYPE ").append(name).append(' ').append(type.code()).append('\n');
      for (String line : samples.values()) {
        b.append(line).append('\n');
      }
    }

    private static int compareLists(List<String> a, List<String> b) {
      for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
        int c = a.get(i).compareTo(b.get(i));
        if (c != 0) {
          return c;
        }
      }
      return Integer.compare(a.size(), b.size());
    }
  }

  /** A label value with backslash, double quote and newline escaped. */
  static String escapeLabelValue(String v) {
    StringBuilder b = new StringBuilder(v.length());
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '"' -> b.append("\\\"");
        case '\n' -> b.append("\\n");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** A help text with backslash and newline escaped. */
  static String escapeHelp(String v) {
    return v.replace("\\", "\\\\").replace("\n", "\\n");
  }

  /** A sample value: integers without a fraction or exponent, NaN and infinities as Prometheus spells them. */
  static String format(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }
}
