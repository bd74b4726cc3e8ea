package io.certkeeper.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The central directory of a zip file, read without inflating anything: what each entry claims
 * (name, sizes, whether it is encrypted, a directory or a symbolic link), so that an archive can be
 * refused before a byte of it is unpacked. {@link java.util.zip.ZipFile} hides the Unix mode that
 * marks a symbolic link; this reads it. ZIP64 archives and multi-disk archives are refused: a
 * certkeeper backup is neither.
 */
final class ZipDirectory {
  private static final int END_SIGNATURE = 0x06054b50;
  private static final int CENTRAL_SIGNATURE = 0x02014b50;
  private static final int END_SIZE = 22;
  private static final int MAX_COMMENT = 0xffff;
  private static final int UNIX_HOST = 3;
  private static final int TYPE_MASK = 0170000;
  private static final int TYPE_LINK = 0120000;
  private static final int TYPE_DIR = 0040000;
  private static final int TYPE_FILE = 0100000;

  /**
   * What the central directory says of one entry.
   *
   * @param symlink the entry is marked as a symbolic link (Unix mode)
   * @param special the Unix mode marks something other than a file, a folder or a link
   */
  record Item(String name, long compressedSize, long size, int method, boolean encrypted, boolean directory,
      boolean symlink, boolean special) {}

  private ZipDirectory() {}

  /**
   * Lists the entries of {@code zip}, refusing more than {@code maxEntries}.
   *
   * @throws IOException when the file is not a zip, is cut short, or has too many entries
   */
  static List<Item> read(Path zip, int maxEntries) throws IOException {
    try (FileChannel ch = FileChannel.open(zip, StandardOpenOption.READ)) {
      long length = ch.size();
      if (length < END_SIZE) {
        throw new IOException("not a zip file (" + length + " bytes)");
      }
      int tail = (int) Math.min(length, END_SIZE + MAX_COMMENT);
      ByteBuffer end = read(ch, length - tail, tail);
      int at = -1;
      for (int i = tail - END_SIZE; i >= 0; i--) {
        if (end.getInt(i) == END_SIGNATURE) {
          at = i;
          break;
        }
      }
      if (at < 0) {
        throw new IOException("not a zip file (no end of central directory)");
      }
      int disk = Short.toUnsignedInt(end.getShort(at + 4));
      int entries = Short.toUnsignedInt(end.getShort(at + 10));
      long size = Integer.toUnsignedLong(end.getInt(at + 12));
      long offset = Integer.toUnsignedLong(end.getInt(at + 16));
      if (disk != 0 || entries == 0xffff || size == 0xffffffffL || offset == 0xffffffffL) {
        throw new IOException("a multi-disk or ZIP64 archive, which certkeeper does not write");
      }
      if (entries > maxEntries) {
        throw new IOException(entries + " entries, more than the " + maxEntries + " a backup may hold");
      }
      if (size > (long) maxEntries * 1024) {
        throw new IOException("a central directory of " + size + " bytes, too large for " + entries + " entries");
      }
      if (offset + size > length - tail + at) {
        throw new IOException("the central directory lies outside the file (cut short?)");
      }
      ByteBuffer dir = read(ch, offset, (int) size);
      List<Item> items = new ArrayList<>(entries);
      int p = 0;
      for (int n = 0; n < entries; n++) {
        if (p + 46 > size || dir.getInt(p) != CENTRAL_SIGNATURE) {
          throw new IOException("the central directory is damaged at entry " + (n + 1));
        }
        int madeBy = Short.toUnsignedInt(dir.getShort(p + 4));
        int flags = Short.toUnsignedInt(dir.getShort(p + 8));
        int method = Short.toUnsignedInt(dir.getShort(p + 10));
        long csize = Integer.toUnsignedLong(dir.getInt(p + 20));
        long usize = Integer.toUnsignedLong(dir.getInt(p + 24));
        int nameLength = Short.toUnsignedInt(dir.getShort(p + 28));
        int extraLength = Short.toUnsignedInt(dir.getShort(p + 30));
        int commentLength = Short.toUnsignedInt(dir.getShort(p + 32));
        long external = Integer.toUnsignedLong(dir.getInt(p + 38));
        if (p + 46 + nameLength + extraLength + commentLength > size) {
          throw new IOException("the central directory is damaged at entry " + (n + 1));
        }
        byte[] nameBytes = new byte[nameLength];
        dir.get(p + 46, nameBytes);
        String name = new String(nameBytes, StandardCharsets.UTF_8);
        int mode = (madeBy >> 8) == UNIX_HOST ? (int) (external >>> 16) : 0;
        int type = mode & TYPE_MASK;
        boolean directory = name.endsWith("/") || type == TYPE_DIR || (external & 0x10) != 0;
        items.add(new Item(name, csize, usize, method, (flags & 1) != 0, directory, type == TYPE_LINK,
            type != 0 && type != TYPE_FILE && type != TYPE_DIR && type != TYPE_LINK));
        p += 46 + nameLength + extraLength + commentLength;
      }
      return items;
    }
  }

  private static ByteBuffer read(FileChannel ch, long position, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (ch.read(b, position + b.position()) < 0) {
        throw new IOException("the file ends early (cut short?)");
      }
    }
    return b.flip().order(ByteOrder.LITTLE_ENDIAN);
  }
}
