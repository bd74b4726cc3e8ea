package io.certkeeper.util;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a whole input file, but never more than a bound. {@code Files.size} cannot be the check:
 * it is 0 for {@code /dev/zero}, a FIFO or a {@code /proc} file, which then read forever. So only
 * regular files are opened (opening a FIFO with no writer would block), and at most
 * {@code max + 1} bytes are read from them, whatever their size said.
 *
 * <pre>{@code
 * byte[] pem = BoundedRead.bytes(file, Pem.MAX_FILE_BYTES);
 * // IOException "/dev/zero: not a regular file", "big.pem: larger than 16777216 bytes"
 * }</pre>
 */
public final class BoundedRead {
  /** The file was refused before or while reading: its message names the file and why. */
  public static final class Refused extends IOException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  private BoundedRead() {}

  /**
   * The bytes of {@code file}.
   *
   * @throws NoSuchFileException when it does not exist
   * @throws Refused "{@code FILE}: not a regular file" or "{@code FILE}: larger than {@code max}
   *     bytes"
   * @throws IOException when it cannot be read
   */
  public static byte[] bytes(Path file, long max) throws IOException {
    Preconditions.requireArgument(max >= 0 && max < Integer.MAX_VALUE - 8, "bound out of range: %s", max);
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString());
    }
    if (!Files.isRegularFile(file)) {
      throw new Refused(file + ": not a regular file");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return bytes(in, max, file.toString());
    }
  }

  /**
   * At most {@code max} bytes of {@code in}, up to its end.
   *
   * @throws Refused "{@code name}: larger than {@code max} bytes" when there is more
   */
  public static byte[] bytes(InputStream in, long max, String name) throws IOException {
    byte[] data = in.readNBytes((int) max + 1);
    if (data.length > max) {
      throw new Refused(name + ": larger than " + max + " bytes");
    }
    return data;
  }

  /**
   * The text of {@code file} in {@code charset}, bounded as {@link #bytes(Path, long)}; bytes that
   * are not valid in the charset are an error, not replaced.
   *
   * @throws CharacterCodingException when the bytes are not text in {@code charset}
   */
  public static String text(Path file, long max, Charset charset) throws IOException {
    byte[] data = bytes(file, max);
    return charset.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(data))
        .toString();
  }
}
