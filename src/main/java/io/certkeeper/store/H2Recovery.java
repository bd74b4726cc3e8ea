package io.certkeeper.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings back the newest committed work of an H2 file that was not closed cleanly (the process was
 * killed, the machine lost power) before the file is opened as a database.
 *
 * <p>H2 (2.5) opens such a file from the chunk its file header names and follows each chunk's
 * prediction of where the next one goes. When a chunk was written somewhere else than predicted, at
 * what H2 took for the end of the file, the header was not rewritten, and the chain breaks there:
 * H2 opens an older version and the chunks after it, each a committed transaction, are lost, as if
 * never committed. Seen here: a kill -9 lost the last 0.4 s of a daemon's commits (an alert marked
 * sent was mailed again). H2's recovery mode finds the newest valid chunk by reading every chunk
 * header instead. So, after an unclean shutdown, this opens the file both ways (read only), and
 * when recovery finds a newer version, opens it once in recovery mode and closes it, which writes
 * a header naming that version; the database then opens with everything that was committed.
 *
 * <p>Only for a file no other process holds: a locked file is left alone, for its holder to close.
 */
final class H2Recovery {
  static {
    Store.beforeH2(); // H2 must not load before the store sets its bind address
  }

  private static final Logger log = LoggerFactory.getLogger(H2Recovery.class);
  /** H2's file header: the first block, text such as {@code H:2,block:31d,...,clean:1,...}. */
  private static final int HEADER_BYTES = 4096;

  private H2Recovery() {}

  /** What {@link #recover} found. */
  enum Outcome {
    /** No file, or closed cleanly: nothing to do. */
    CLEAN,
    /** Not closed cleanly, but H2's normal start finds the newest version. */
    COMPLETE,
    /** Not closed cleanly, and the newest versions were brought back. */
    RECOVERED,
    /** Another process holds the file, or it could not be read here: left to H2. */
    SKIPPED
  }

  /**
   * Recovers {@code mvFile} (an H2 {@code .mv.db} file) if it was not closed cleanly and H2's normal
   * start would open an older version than the newest committed one.
   */
  static Outcome recover(Path mvFile) {
    if (!Files.isRegularFile(mvFile) || cleanlyClosed(mvFile)) {
      return Outcome.CLEAN;
    }
    String name = mvFile.toString();
    long normal;
    long newest;
    try {
      normal = version(new MVStore.Builder().fileName(name).readOnly());
      newest = version(new MVStore.Builder().fileName(name).readOnly().recoveryMode());
    } catch (RuntimeException e) {
      // locked by another process, or not an H2 file at all: H2's own open says which, in one line
      log.debug("{} - not checked for lost commits: {}", mvFile, e.toString());
      return Outcome.SKIPPED;
    }
    if (newest <= normal) {
      return Outcome.COMPLETE;
    }
    try (MVStore s = new MVStore.Builder().fileName(name).recoveryMode().open()) {
      long lost = s.getCurrentVersion() - normal;
      log.warn("{} - was not closed cleanly, and H2 would have opened it at version {} of {}: brought back {}"
          + " committed version{} it would have lost", mvFile, normal, s.getCurrentVersion(), lost, lost == 1 ? "" : "s");
    } catch (RuntimeException e) {
      log.warn("{} - was not closed cleanly, and its newest versions could not be brought back: {}", mvFile,
          e.toString());
      return Outcome.SKIPPED;
    }
    return Outcome.RECOVERED;
  }

  private static long version(MVStore.Builder b) {
    try (MVStore s = b.open()) {
      return s.getCurrentVersion();
    }
  }

  /** Whether the file header carries H2's clean-shutdown mark. */
  static boolean cleanlyClosed(Path mvFile) {
    byte[] head = new byte[HEADER_BYTES];
    int n;
    try (InputStream in = Files.newInputStream(mvFile)) {
      n = in.readNBytes(head, 0, head.length);
    } catch (IOException e) {
      return true; // unreadable here: H2 reports it when it opens the file
    }
    String header = new String(head, 0, n, StandardCharsets.ISO_8859_1);
    int end = header.indexOf('\n');
    header = end < 0 ? header : header.substring(0, end);
    return (',' + header + ',').contains(",clean:1,");
  }
}
