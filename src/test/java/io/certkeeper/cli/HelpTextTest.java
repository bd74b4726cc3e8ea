package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HelpTextTest {
  @Test
  void linesWrappedInTheSourceBecomeOneParagraph() {
    assertEquals(List.of("Validate a chain strictly: build a path and check it the way a careful client does."),
        HelpText.paragraphs(new String[] {"Validate a chain strictly: build a path and check it the way a",
            "careful client does."}));
  }

  @Test
  void aLineThatEndsASentenceOrALeadInStaysALine() {
    assertEquals(List.of("Run the daemon.", "Exit codes:", "0 ok; 1 failed."),
        HelpText.paragraphs(new String[] {"Run the daemon.", "Exit codes:", "0 ok;", "1 failed."}));
  }

  @Test
  void blankLinesListItemsAndIndentedLinesStandAlone() {
    assertEquals(List.of("", "Exit codes: 0 ok, 1 not", "- a list item", "  indented"),
        HelpText.paragraphs(new String[] {"", "Exit codes: 0 ok, 1 not", "- a list item", "  indented"}));
  }

  @Test
  void theFirstSentenceBecomesTheSummary() {
    assertEquals(List.of("Manage the endpoints the daemon probes.", "Endpoints declared in the configuration"
        + " are synced on start.", "Second paragraph."),
        HelpText.summaryFirst(List.of("Manage the endpoints the daemon probes. Endpoints declared in the"
            + " configuration are synced on start.", "Second paragraph.")));
  }

  @Test
  void wrapsAtSpacesOnly() {
    assertEquals(List.of("write key.pem", "(PKCS#8) and", "ca.passphrase"),
        HelpText.wrap("write key.pem (PKCS#8) and ca.passphrase", 13));
    assertEquals(List.of("a", "wordlongerthanthewidth", "b"), HelpText.wrap("a wordlongerthanthewidth b", 5));
    assertEquals(List.of(""), HelpText.wrap("", 10));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Write key.pem and cert.pem into --out-dir. Then more.|42",
      "Validate at a time, e.g. 2025-06-01. Then more.|36",
      "Run until SIGTERM (exit 0). Then more.|27",
      "Print 'certkeeper backup'. Then more.|26",
      "One sentence only.|18",
      "No end at all|-1",
  })
  void findsTheEndOfTheFirstSentence(String text, int end) {
    assertEquals(end, HelpText.firstSentenceEnd(text));
  }
}
