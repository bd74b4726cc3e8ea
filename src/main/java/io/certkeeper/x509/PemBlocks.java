package io.certkeeper.x509;

import io.certkeeper.util.Printable;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * The PEM blocks of a text, read by Bouncy Castle's {@link PemReader}, each with its place: its
 * index among the blocks (1-based) and the line of its {@code -----BEGIN} line. Text around the
 * blocks is ignored (OpenSSL writes a subject line before each certificate); leading and trailing
 * blanks of a line are too. A block that is not well formed is an error naming both, never skipped:
 * {@code block 3 (line 41): the text between the BEGIN and END lines is not valid base64}.
 *
 * <p>Well formed means: a {@code -----BEGIN TYPE-----} line, base64 lines (optionally after
 * {@code Name: value} headers), and the {@code -----END TYPE-----} line of the same type before the
 * next BEGIN or the end of the text.
 */
final class PemBlocks {
  private static final String BEGIN = "-----BEGIN";
  private static final String END = "-----END ";
  private static final String DASHES = "-----";

  /**
   * One block.
   *
   * @param index 1-based, counting every block of the text whatever its type
   * @param line the 1-based line of its BEGIN line
   * @param type what the BEGIN line names, e.g. {@code CERTIFICATE}
   * @param hasHeaders whether {@code Name: value} lines came before the base64 (encrypted legacy keys)
   * @param content the decoded base64
   */
  record Block(int index, int line, String type, boolean hasHeaders, byte[] content) {
    /** {@code block 3 (line 41)}. */
    String where() {
      return PemBlocks.where(index, line);
    }
  }

  private PemBlocks() {}

  /** Whether {@code text} has a line that starts a PEM block (and so is not DER). */
  static boolean looksLikePem(String text) {
    return text.contains(BEGIN);
  }

  /**
   * Every block of {@code text}, in order; none when it has no BEGIN line.
   *
   * @throws IllegalArgumentException at the first block that is not well formed, naming its index
   *     and line
   */
  static List<Block> read(String text) {
    List<Block> out = new ArrayList<>();
    try (LineReader r = new LineReader(text)) {
      while (true) {
        PemObject o;
        try {
          o = r.readPemObject();
        } catch (IOException e) {
          if (r.problem != null) {
            throw new IllegalArgumentException(r.problem, e);
          }
          if (!r.inside) { // its END line was read: the decoding failed (Bouncy Castle 1.87 wraps that in an IOException)
            throw notBase64(r, e);
          }
          throw new IllegalArgumentException(where(r.blocks, r.beginLine) + ": no " + END + r.shownType()
              + "----- line before the end of the text", e);
        } catch (RuntimeException e) { // Bouncy Castle's base64 decoder in older releases
          throw notBase64(r, e);
        }
        if (o == null) {
          return List.copyOf(out);
        }
        out.add(new Block(r.blocks, r.beginLine, o.getType(), !o.getHeaders().isEmpty(), o.getContent()));
      }
    } catch (IOException e) { // closing a StringReader
      throw new AssertionError(e);
    }
  }

  private static IllegalArgumentException notBase64(LineReader r, Exception e) {
    return new IllegalArgumentException(where(r.blocks, r.beginLine) + ": " + r.shownType()
        + ": the text between the BEGIN and END lines is not valid base64", e);
  }

  private static String where(int index, int line) {
    return "block " + index + " (line " + line + ")";
  }

  /**
   * Bouncy Castle's reader, handed each line stripped and counted, that refuses what it would
   * otherwise skip or misread: a BEGIN line it does not accept (it would end the reading there), a
   * block whose END line is missing before the next BEGIN (it would read the next block into this
   * one), and an END line of another type.
   */
  private static final class LineReader extends PemReader {
    int line;
    /** Blocks begun so far: the index of the current or last block. */
    int blocks;
    int beginLine;
    String type = "";
    boolean inside;
    /** Our own refusal, thrown as an IOException through Bouncy Castle's reader. */
    String problem;

    LineReader(String text) {
      super(new StringReader(text));
    }

    @Override
    public String readLine() throws IOException {
      String raw = super.readLine();
      if (raw == null) {
        return null;
      }
      line++;
      String l = raw.strip();
      if (l.startsWith(BEGIN)) {
        if (inside) {
          throw refuse(where(blocks, beginLine) + ": no " + END + shownType() + "----- line before the next BEGIN"
              + " (line " + line + ")");
        }
        blocks++;
        beginLine = line;
        inside = true;
        String rest = l.substring(BEGIN.length());
        type = rest.startsWith(" ") && rest.endsWith(DASHES) && rest.length() > DASHES.length() + 1
            ? rest.substring(1, rest.length() - DASHES.length()) : "";
        if (type.isBlank() || type.contains("-") || !type.equals(type.strip())) {
          throw refuse(where(blocks, beginLine) + ": not a BEGIN line of the form -----BEGIN TYPE-----: "
              + Printable.line(l, 80));
        }
      } else if (inside && l.startsWith("-----END")) {
        if (!l.equals(END + type + DASHES)) {
          throw refuse(where(blocks, beginLine) + ": " + shownType() + " ends with another END line (line " + line
              + "): " + Printable.line(l, 80));
        }
        inside = false;
      }
      return l;
    }

    /** The block's type as it may be shown: escaped, bounded. */
    String shownType() {
      return Printable.line(type, 64);
    }

    private IOException refuse(String message) {
      problem = message;
      return new IOException(message);
    }
  }
}
