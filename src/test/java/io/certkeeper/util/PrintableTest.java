package io.certkeeper.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Tag("security")
class PrintableTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      CR LF                 | 000d 000a       | \\r\\n
      tab                   | 0009            | \\t
      NUL and ESC           | 0000 001b       | \\u0000\\u001b
      DEL                   | 007f            | \\u007f
      C1 NEL and CSI        | 0085 009b       | \\u0085\\u009b
      line separators       | 2028 2029       | \\u2028\\u2029
      bidi override         | 202e            | \\u202e
      bidi embeddings       | 202a 202b 202c 202d | \\u202a\\u202b\\u202c\\u202d
      bidi isolates         | 2066 2067 2068 2069 | \\u2066\\u2067\\u2068\\u2069
      bidi marks            | 200e 200f 061c  | \\u200e\\u200f\\u061c
      unpaired surrogate    | d800            | \\ud800
      """)
  void controlsBecomeVisibleEscapes(String name, String codes, String expected) {
    StringBuilder s = new StringBuilder("a");
    for (String c : codes.trim().split(" +")) {
      s.append((char) Integer.parseInt(c, 16));
    }
    assertEquals("a" + expected, Printable.line(s.toString()));
  }

  @Test
  void printableTextIsReturnedAsIs() {
    String s = "CN=münchen.example,O=Grüße \\, GmbH 🔒 <a> & \"b\"";
    assertSame(s, Printable.line(s));
  }

  @Test
  void aHeaderInjectionStaysOneLine() {
    assertEquals("CN=x\\r\\nBcc: evil@example.com", Printable.line("CN=x\r\nBcc: evil@example.com"));
  }

  @Test
  void longTextIsCutWithoutSplittingAnEscapeOrAPair() {
    assertEquals("abcdefghi…", Printable.line("abcdefghijklmnop", 10));
    assertEquals("abcdefghij", Printable.line("abcdefghij", 10));
    assertEquals("abcdef\\r…", Printable.line("abcdef\r\nxyz", 10), "an escape that does not fit is left out whole");
    assertEquals("abcdefgh…", Printable.line("abcdefgh🔒xyz", 10), "the pair does not fit whole");
    assertTrue(Printable.line("x".repeat(5000)).length() <= Printable.DEFAULT_MAX);
  }

  @Test
  void nullIsShownAsNull() {
    assertEquals("null", Printable.line((String) null));
    assertEquals("a\\nb, c", Printable.join(List.of("a\nb", "c")));
  }
}
