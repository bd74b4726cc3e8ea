package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The usage text of every command and subcommand, as picocli renders it: each command is listed
 * under its parent by one whole sentence, and no description is cut or lost at any width.
 */
class UsageTextTest {
  /** A sentence's end: a period, question or exclamation mark, maybe followed by a closing bracket or quote. */
  private static final Pattern ENDS_SENTENCE = Pattern.compile(".*[.!?][\"')\\]]*$");

  private static Map<String, CommandLine> everyCommand() {
    Map<String, CommandLine> all = new LinkedHashMap<>();
    collect(CommandTree.full(new CertkeeperCommand(Map.of(), Clock.systemUTC())), all);
    return all;
  }

  private static void collect(CommandLine cl, Map<String, CommandLine> into) {
    into.putIfAbsent(cl.getCommandSpec().qualifiedName(), cl);
    cl.getSubcommands().values().forEach(sub -> collect(sub, into));
  }

  @ParameterizedTest
  @ValueSource(ints = {55, 80, 132, 200})
  void everyCommandIsListedUnderItsParentByOneWholeSentence(int width) {
    List<String> cut = new ArrayList<>();
    for (CommandLine parent : everyCommand().values()) {
      if (parent.getSubcommands().isEmpty()) {
        continue;
      }
      parent.setUsageHelpAutoWidth(false);
      parent.setUsageHelpWidth(width);
      Map<String, String> listed = commandList(parent.getUsageMessage(Ansi.OFF));
      assertEquals(parent.getSubcommands().keySet(), listed.keySet(), parent.getCommandSpec().qualifiedName());
      listed.forEach((name, summary) -> {
        String where = parent.getCommandSpec().qualifiedName() + " " + name + " (width " + width + "): " + summary;
        if (!ENDS_SENTENCE.matcher(summary).matches() || HelpText.firstSentenceEnd(summary) != summary.length()) {
          cut.add(where);
        }
      });
    }
    assertTrue(cut.isEmpty(), "summaries that are not one whole sentence:\n" + String.join("\n", cut));
  }

  @ParameterizedTest
  @ValueSource(ints = {55, 80, 200})
  void everyDescriptionIsPrintedWholeAndWithinTheWidth(int width) {
    for (Map.Entry<String, CommandLine> e : everyCommand().entrySet()) {
      CommandLine cl = e.getValue();
      cl.setUsageHelpAutoWidth(false);
      cl.setUsageHelpWidth(width);
      String usage = cl.getUsageMessage(Ansi.OFF);
      String flowed = usage.replaceAll("\\s+", " ");
      for (String paragraph : cl.getCommandSpec().usageMessage().description()) {
        // picocli may break a line inside a word at a period or hyphen ("key." / "pem"): compare words only.
        assertTrue(flowed.replace(" ", "").contains(paragraph.replace("%n", "").replaceAll("\\s+", "")),
            e.getKey() + " at width " + width + " lost part of: " + paragraph + "\n" + usage);
      }
      for (String line : usage.split("\n")) {
        assertTrue(line.length() <= width, e.getKey() + ": a line wider than " + width + ": " + line);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"certkeeper", "certkeeper status", "certkeeper endpoint add", "certkeeper ca init"})
  void usageWrapsAtTheTerminalsWidth(String command) {
    assertTrue(everyCommand().get(command).isUsageHelpAutoWidth(), command);
  }

  @Test
  void everyCommandHasADescriptionWhoseFirstLineIsASentence() {
    for (Map.Entry<String, CommandLine> e : everyCommand().entrySet()) {
      String[] description = e.getValue().getCommandSpec().usageMessage().description();
      if (e.getKey().equals("certkeeper")) {
        continue;
      }
      assertFalse(description.length == 0, e.getKey() + " has no description");
      assertTrue(ENDS_SENTENCE.matcher(description[0]).matches(), e.getKey() + ": " + description[0]);
    }
  }

  /** The entries of the "Commands:" section, each with its continuation lines joined. */
  static Map<String, String> commandList(String usage) {
    Map<String, String> entries = new LinkedHashMap<>();
    String[] lines = usage.split("\n");
    int i = 0;
    while (i < lines.length && !lines[i].equals("Commands:")) {
      i++;
    }
    String current = null;
    for (i++; i < lines.length && !lines[i].isBlank(); i++) {
      String line = lines[i];
      if (line.matches("  \\S.*")) {
        String trimmed = line.strip();
        int space = trimmed.indexOf(' ');
        current = space < 0 ? trimmed : trimmed.substring(0, space);
        entries.put(current, space < 0 ? "" : trimmed.substring(space).strip());
      } else if (current != null) {
        entries.merge(current, line.strip(), (a, b) -> a + " " + b);
      }
    }
    return entries;
  }
}
