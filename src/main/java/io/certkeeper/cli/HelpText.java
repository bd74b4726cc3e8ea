package io.certkeeper.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * Usage text that reads well at any terminal width. Descriptions and footers are written in the
 * source as lines of about 100 characters; picocli prints each line as a line of its own (wrapped
 * again at the terminal's width, so a wrapped sentence comes out ragged) and lists a command under
 * its parent by the first line alone (so a sentence that goes on in the next line is cut). Here a
 * line that does not end a sentence is joined with the next, and a command's first paragraph is
 * split after its first sentence: the summary its parent lists is one whole sentence, and the rest
 * wraps at the terminal's width. Descriptions and the list of commands wrap at spaces only (picocli
 * also breaks after a period inside a word, so "key.pem" could end a line as "key.").
 */
final class HelpText {
  /** The end of a sentence, with the closing quote or bracket that may follow it. */
  private static final Pattern SENTENCE_END = Pattern.compile("[.!?][\"')\\]]*(?=\\s+\\S|$)");
  /** Words whose period is an abbreviation's, not a sentence's end. */
  private static final Set<String> ABBREVIATIONS = Set.of("e.g", "i.e", "etc", "vs", "cf");

  private HelpText() {}

  /**
   * Rewrites the description and footer of {@code cl}'s command and of all its subcommands, and
   * renders their descriptions and lists of commands wrapped at spaces.
   */
  static void tidy(CommandLine cl) {
    CommandSpec spec = cl.getCommandSpec();
    UsageMessageSpec usage = spec.usageMessage();
    usage.description(summaryFirst(paragraphs(usage.description())).toArray(new String[0]));
    usage.footer(paragraphs(usage.footer()).toArray(new String[0]));
    cl.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_DESCRIPTION, HelpText::description);
    cl.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, HelpText::commandList);
    for (CommandLine sub : new LinkedHashSet<>(cl.getSubcommands().values())) {
      tidy(sub);
    }
  }

  /** The command's description, each paragraph wrapped at spaces to the usage width. */
  static String description(Help help) {
    StringBuilder out = new StringBuilder();
    int width = help.commandSpec().usageMessage().width();
    for (String paragraph : help.commandSpec().usageMessage().description()) {
      for (String line : String.format(Locale.ROOT, paragraph).split("\\R", -1)) {
        for (String wrapped : wrap(line, width)) {
          out.append(wrapped).append(System.lineSeparator());
        }
      }
    }
    return out.toString();
  }

  /**
   * The subcommands, one per entry: its name, then its summary (the first line of its description)
   * wrapped at spaces, continued under itself.
   */
  static String commandList(Help help) {
    Map<String, Help> subcommands = help.subcommands();
    if (subcommands.isEmpty()) {
      return "";
    }
    int nameWidth = 0;
    for (Map.Entry<String, Help> e : subcommands.entrySet()) {
      nameWidth = Math.max(nameWidth, e.getKey().length());
    }
    int indent = 2 + nameWidth + 2;
    int width = help.commandSpec().usageMessage().width();
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, Help> e : subcommands.entrySet()) {
      UsageMessageSpec usage = e.getValue().commandSpec().usageMessage();
      if (usage.hidden()) {
        continue;
      }
      String[] lines = usage.header().length > 0 ? usage.header() : usage.description();
      String summary = lines.length == 0 ? "" : String.format(Locale.ROOT, lines[0]).strip().replaceAll("\\s+", " ");
      String first = wrap(summary, width - indent).get(0);
      out.append("  ").append(String.format(Locale.ROOT, "%-" + nameWidth + "s", e.getKey())).append("  ")
          .append(first).append(System.lineSeparator());
      String rest = summary.substring(first.length()).strip();
      if (!rest.isEmpty()) {
        for (String line : wrap(rest, width - indent - 2)) {
          out.append(" ".repeat(indent + 2)).append(line).append(System.lineSeparator());
        }
      }
    }
    return out.toString();
  }

  /**
   * {@code text} in lines of at most {@code width} characters, broken at spaces only (a word longer
   * than the width gets a line of its own); at least one line.
   */
  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.strip().split(" +")) {
      if (line.length() > 0 && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      if (line.length() > 0) {
        line.append(' ');
      }
      line.append(word);
    }
    lines.add(line.toString());
    return lines;
  }

  /**
   * Joins each line that does not end a sentence (or a colon's lead-in) with the line after it,
   * unless that line is empty or starts a list item or an indented block.
   */
  static List<String> paragraphs(String[] lines) {
    List<String> out = new ArrayList<>();
    StringBuilder current = null;
    for (String line : lines) {
      boolean standsAlone = line.isBlank() || line.startsWith(" ") || line.startsWith("-") || line.startsWith("*");
      if (current != null && !standsAlone && !endsSentence(current)) {
        current.append(' ').append(line.strip());
        continue;
      }
      if (current != null) {
        out.add(current.toString());
      }
      current = new StringBuilder(line.stripTrailing());
    }
    if (current != null) {
      out.add(current.toString());
    }
    return out;
  }

  /** Splits the first paragraph after its first sentence, so that sentence is the summary. */
  static List<String> summaryFirst(List<String> paragraphs) {
    if (paragraphs.isEmpty()) {
      return paragraphs;
    }
    String first = paragraphs.get(0);
    int end = firstSentenceEnd(first);
    if (end < 0 || end >= first.length()) {
      return paragraphs;
    }
    List<String> out = new ArrayList<>();
    out.add(first.substring(0, end));
    out.add(first.substring(end).strip());
    out.addAll(paragraphs.subList(1, paragraphs.size()));
    return out;
  }

  /** The index just after the first sentence of {@code text}, or -1 when it has no sentence end. */
  static int firstSentenceEnd(String text) {
    Matcher m = SENTENCE_END.matcher(text);
    while (m.find()) {
      if (!abbreviation(text, m.start())) {
        return m.end();
      }
    }
    return -1;
  }

  /** Whether {@code text} (stripped) ends with the end of a sentence or a colon. */
  static boolean endsSentence(CharSequence text) {
    String s = text.toString().strip();
    if (s.isEmpty()) {
      return true;
    }
    if (s.endsWith(":")) {
      return true;
    }
    Matcher m = SENTENCE_END.matcher(s);
    int last = -1;
    while (m.find()) {
      last = m.end() == s.length() ? m.start() : last;
    }
    return last >= 0 && !abbreviation(s, last);
  }

  /** Whether the period at {@code period} ends an abbreviation ("e.g.") or an initial rather than a sentence. */
  private static boolean abbreviation(String text, int period) {
    int start = period;
    while (start > 0 && !Character.isWhitespace(text.charAt(start - 1)) && text.charAt(start - 1) != '(') {
      start--;
    }
    String word = text.substring(start, period);
    return ABBREVIATIONS.contains(word.toLowerCase(java.util.Locale.ROOT))
        || word.length() == 1 && Character.isLetter(word.charAt(0));
  }
}
