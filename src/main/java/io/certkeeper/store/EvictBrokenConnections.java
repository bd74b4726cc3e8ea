package io.certkeeper.store;

import com.zaxxer.hikari.SQLExceptionOverride;
import java.sql.SQLException;

/**
 * Tells the pool to drop a connection whose embedded database has shut itself down. H2 closes the
 * whole database when a write to its file fails (a full disk, an I/O error) and from then on every
 * call on its connections fails with "database has been closed". Such a connection never heals, so
 * it is evicted; the next connection the pool makes opens the database file again, which succeeds
 * once the disk has room. Other errors keep the pool's own judgement.
 */
public final class EvictBrokenConnections implements SQLExceptionOverride {
  /** H2's ErrorCode.DATABASE_IS_CLOSED. */
  static final int H2_DATABASE_IS_CLOSED = 90098;
  /** H2's ErrorCode.IO_EXCEPTION_1 and IO_EXCEPTION_2. */
  static final int H2_IO_EXCEPTION_1 = 90028;
  static final int H2_IO_EXCEPTION_2 = 90031;
  /** H2's ErrorCode.GENERAL_ERROR_1, which a failed file write becomes. */
  static final int H2_GENERAL_ERROR = 50000;

  @java.lang.Override
  public Override adjudicate(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && isFatal(s.getErrorCode())) {
        return Override.MUST_EVICT;
      }
    }
    return Override.CONTINUE_EVICT;
  }

  static boolean isFatal(int h2ErrorCode) {
    return h2ErrorCode == H2_DATABASE_IS_CLOSED || h2ErrorCode == H2_IO_EXCEPTION_1
        || h2ErrorCode == H2_IO_EXCEPTION_2 || h2ErrorCode == H2_GENERAL_ERROR;
  }
}
