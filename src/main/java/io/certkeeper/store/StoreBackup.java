package io.certkeeper.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;

/**
 * An online, consistent copy of the embedded H2 store: H2's {@code BACKUP TO}, which copies the
 * database file from a single MVCC snapshot while other connections go on reading and writing. It
 * works through the daemon's store server too, but then the daemon's process writes the file: give
 * a path that process can write (the data directory is one).
 */
public final class StoreBackup {
  private StoreBackup() {}

  /**
   * Writes a zip of the database files to {@code zip} (replaced if it exists).
   *
   * @throws StoreException when the store is not H2 (PostgreSQL is backed up with its own tools),
   *     or when the backup fails
   */
  public static void backupTo(Store store, Path zip) throws StoreException {
    Objects.requireNonNull(zip, "zip");
    if (store.engine() != Store.Engine.H2) {
      throw new StoreException("the store at " + store.description()
          + " is PostgreSQL: back it up with pg_dump (e.g. pg_dump -Fc -f certkeeper.dump DBNAME)");
    }
    String file = zip.toAbsolutePath().normalize().toString();
    try (Connection c = store.connection(); Statement st = c.createStatement()) {
      // BACKUP takes a literal, not a parameter: quote it.
      st.execute("BACKUP TO '" + file.replace("'", "''") + "'");
    } catch (SQLException e) {
      throw new StoreException("cannot back up the store at " + store.description() + " to " + file + ": "
          + Store.rootMessage(e), e);
    }
  }
}
