package io.certkeeper.testing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format (0.0.4), for checking what certkeeper
 * writes: every family has one HELP and one TYPE before its samples, a family's samples are
 * contiguous, no series appears twice, names and escapes are valid, values parse, and the text ends
 * with a newline. Anything else fails with the line number.
 */
public final class PrometheusText {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Set<String> TYPES = Set.of("counter", "gauge", "summary", "histogram", "untyped");

  public record Sample(String name, Map<String, String> labels, double value) {}

  public record Family(String name, String type, String help, List<Sample> samples) {
    /** The one sample whose labels include all of {@code match}. */
    public Optional<Sample> find(Map<String, String> match) {
      List<Sample> found = samples.stream()
          .filter(s -> s.labels().entrySet().containsAll(match.entrySet())).toList();
      if (found.size() > 1) {
        throw new AssertionError("more than one sample of " + name + " matches " + match + ": " + found);
      }
      return found.stream().findFirst();
    }

    public double value(Map<String, String> match) {
      return find(match).orElseThrow(() -> new AssertionError("no sample of " + name + " matches " + match
          + " among " + samples)).value();
    }
  }

  private PrometheusText() {}

  /** Debian's promtool (package {@code prometheus}), the format's own judge. */
  static final java.nio.file.Path PROMTOOL = java.nio.file.Path.of("/usr/bin/promtool");

  /**
   * Has {@code promtool check metrics} judge {@code text} (written to {@code workDir}): required in
   * CI ({@code CI=true}), where {@code .ci/run} installs it; skipped elsewhere when it is missing.
   */
  public static void checkWithPromtool(java.nio.file.Path workDir, String text) throws java.io.IOException {
    if (!java.nio.file.Files.isExecutable(PROMTOOL)) {
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError("promtool (Debian's prometheus package) is required in CI");
      }
      return;
    }
    java.nio.file.Files.writeString(workDir.resolve("metrics.txt"), text);
    ExternalTool.Result r = ExternalTool.run(workDir, "sh", "-c", "exec " + PROMTOOL + " check metrics < metrics.txt");
    if (!r.ok()) {
      throw new AssertionError("promtool check metrics: " + r.output());
    }
  }

  /** Parses {@code text}; families by name, in the order they appear. */
  public static Map<String, Family> parse(String text) {
    if (!text.isEmpty() && !text.endsWith("\n")) {
      throw new AssertionError("exposition does not end with a newline");
    }
    Map<String, String> help = new LinkedHashMap<>();
    Map<String, String> type = new LinkedHashMap<>();
    Map<String, List<Sample>> samples = new LinkedHashMap<>();
    Set<String> closed = new HashSet<>();
    Set<String> series = new HashSet<>();
    String current = null;
    String[] lines = text.split("\n", -1);
    for (int n = 0; n < lines.length - 1; n++) {
      String line = lines[n];
      String where = "line " + (n + 1) + ": " + line;
      if (line.startsWith("#")) {
        String[] parts = line.split(" ", 4);
        if (parts.length >= 3 && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
          String name = parts[2];
          check(NAME.matcher(name).matches(), "invalid metric name", where);
          check(!closed.contains(name), "family appears again after other families", where);
          if (!name.equals(current)) {
            if (current != null) {
              closed.add(current);
            }
            current = name;
          }
          String rest = parts.length == 4 ? parts[3] : "";
          if (parts[1].equals("HELP")) {
            check(!help.containsKey(name), "second HELP", where);
            check(!samples.containsKey(name), "HELP after samples", where);
            help.put(name, unescape(rest, false, where));
          } else {
            check(!type.containsKey(name), "second TYPE", where);
            check(!samples.containsKey(name), "TYPE after samples", where);
            check(TYPES.contains(rest), "unknown type", where);
            type.put(name, rest);
          }
        }
        continue;
      }
      check(!line.isBlank(), "blank line", where);
      Sample s = sample(line, where);
      String family = familyOf(s.name(), type);
      check(family != null, "sample without a TYPE", where);
      check(family.equals(current), "sample outside its family's block", where);
      check(series.add(s.name() + s.labels()), "duplicate series", where);
      samples.computeIfAbsent(family, k -> new ArrayList<>()).add(s);
    }
    Map<String, Family> out = new LinkedHashMap<>();
    for (String name : type.keySet()) {
      check(help.containsKey(name), "no HELP", name);
      out.put(name, new Family(name, type.get(name), help.get(name), List.copyOf(samples.getOrDefault(name, List.of()))));
    }
    return out;
  }

  private static String familyOf(String sampleName, Map<String, String> types) {
    if (types.containsKey(sampleName)) {
      String t = types.get(sampleName);
      return t.equals("summary") || t.equals("histogram") ? null : sampleName;
    }
    for (String suffix : List.of("_sum", "_count", "_bucket")) {
      if (sampleName.endsWith(suffix)) {
        String base = sampleName.substring(0, sampleName.length() - suffix.length());
        String t = types.get(base);
        if ("summary".equals(t) && !suffix.equals("_bucket") || "histogram".equals(t)) {
          return base;
        }
      }
    }
    return null;
  }

  private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)( -?\\d+)?");

  private static Sample sample(String line, String where) {
    Matcher m = SAMPLE.matcher(line);
    check(m.matches(), "not a sample line", where);
    Map<String, String> labels = new LinkedHashMap<>();
    if (m.group(3) != null) {
      String body = m.group(3);
      int i = 0;
      while (i < body.length()) {
        int eq = body.indexOf('=', i);
        check(eq > i, "label without '='", where);
        String name = body.substring(i, eq);
        check(LABEL_NAME.matcher(name).matches(), "invalid label name '" + name + "'", where);
        check(eq + 1 < body.length() && body.charAt(eq + 1) == '"', "label value not quoted", where);
        StringBuilder raw = new StringBuilder();
        int j = eq + 2;
        boolean done = false;
        while (j < body.length()) {
          char c = body.charAt(j);
          if (c == '\\') {
            check(j + 1 < body.length(), "dangling backslash", where);
            raw.append(c).append(body.charAt(j + 1));
            j += 2;
          } else if (c == '"') {
            done = true;
            j++;
            break;
          } else {
            raw.append(c);
            j++;
          }
        }
        check(done, "unterminated label value", where);
        check(labels.put(name, unescape(raw.toString(), true, where)) == null, "label repeated", where);
        if (j < body.length()) {
          check(body.charAt(j) == ',', "expected ',' between labels", where);
          j++;
        }
        i = j;
      }
    }
    return new Sample(m.group(1), labels, value(m.group(4), where));
  }

  private static double value(String v, String where) {
    switch (v) {
      case "NaN":
        return Double.NaN;
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      default:
        check(v.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?"), "invalid value '" + v + "'", where);
        return Double.parseDouble(v);
    }
  }

  private static String unescape(String s, boolean quotes, String where) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\') {
        b.append(c);
        continue;
      }
      check(i + 1 < s.length(), "dangling backslash", where);
      char n = s.charAt(++i);
      switch (n) {
        case '\\' -> b.append('\\');
        case 'n' -> b.append('\n');
        case '"' -> {
          check(quotes, "escaped quote in HELP", where);
          b.append('"');
        }
        default -> throw new AssertionError("invalid escape \\" + n + " at " + where);
      }
    }
    return b.toString();
  }

  private static void check(boolean ok, String what, String where) {
    if (!ok) {
      throw new AssertionError(what + " (" + where + ")");
    }
  }
}
