package io.certkeeper.daemon;

import io.certkeeper.config.Config;
import io.certkeeper.config.StoreConfig;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import io.certkeeper.store.StoreWait;
import io.certkeeper.util.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the store the configuration describes: the embedded H2 file under the data dir by default,
 * with its password ({@code store.password}, else the data dir's {@code store.secret}), and makes
 * everything below the data dir owner-only (files an earlier version or a restore left readable).
 */
public final class StoreOpener {
  private static final Logger log = LoggerFactory.getLogger(StoreOpener.class);

  private StoreOpener() {}

  /**
   * Opens (creating the data directory 0700 when missing) and migrates the store.
   *
   * @throws StoreException naming the database when it cannot be opened, or the secret when the
   *     password cannot be read
   */
  public static Store open(Config config, Path dataDir) throws StoreException {
    return open(config, dataDir, StoreWait.none());
  }

  /**
   * As {@link #open(Config, Path)}, waiting as {@code wait} says while the embedded store is held by
   * a daemon that is starting or stopping (see {@link Store#openEmbedded(Path, Optional, Optional,
   * int, StoreWait)}).
   */
  public static Store open(Config config, Path dataDir, StoreWait wait) throws StoreException {
    return open(config, dataDir, wait, false, Store.Schema.MIGRATE);
  }

  /** As {@link #open(Config, Path, StoreWait)}, migrating or only checking the schema as {@code schema} says. */
  public static Store open(Config config, Path dataDir, StoreWait wait, Store.Schema schema) throws StoreException {
    return open(config, dataDir, wait, false, schema);
  }

  /**
   * As {@link #open(Config, Path, StoreWait)} for the daemon: the embedded store is held by this
   * process and served to CLI commands until it is closed ({@link Store#serveEmbedded}).
   */
  public static Store serve(Config config, Path dataDir, StoreWait wait) throws StoreException {
    return open(config, dataDir, wait, true, Store.Schema.MIGRATE);
  }

  private static Store open(Config config, Path dataDir, StoreWait wait, boolean serve, Store.Schema schema)
      throws StoreException {
    StoreConfig sc = config.store();
    Optional<char[]> password = Optional.empty();
    if (sc.password().isPresent()) {
      try {
        password = Optional.of(sc.password().get().resolve());
      } catch (IOException e) {
        throw new StoreException("store.password: " + e.getMessage(), e);
      }
    }
    Store store;
    if (sc.url().isPresent()) {
      store = Store.open(sc.url().get(), sc.user(), password, sc.poolSize(), schema);
    } else {
      createDataDir(dataDir);
      store = serve
          ? Store.serveEmbedded(dataDir, sc.user(), password, sc.poolSize(), wait)
          : Store.openEmbedded(dataDir, sc.user(), password, sc.poolSize(), wait, schema);
    }
    restrictDataDir(dataDir);
    return store;
  }

  static void createDataDir(Path dataDir) throws StoreException {
    try {
      if (!Files.isDirectory(dataDir)) {
        Files.createDirectories(dataDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      if (!Files.isWritable(dataDir)) {
        throw new StoreException("data dir " + dataDir + " is not writable");
      }
    } catch (IOException e) {
      throw new StoreException("cannot create data dir " + dataDir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Removes group/other bits from everything below the data dir (after the store is open, so the
   * database and lock files are included) and says so in one line when anything changed.
   */
  static PrivateFiles.Restricted restrictDataDir(Path dataDir) {
    PrivateFiles.Restricted r;
    try {
      r = PrivateFiles.restrict(dataDir);
    } catch (IOException e) {
      log.warn("data dir {} - cannot check file modes: {}", dataDir, e.getMessage());
      return new PrivateFiles.Restricted(0, 1, Optional.of(e.getMessage()));
    }
    if (r.changed() > 0) {
      log.info("data dir {} - made {} files and directories owner-only (they were group/world-accessible)",
          dataDir, r.changed());
    }
    if (r.failed() > 0) {
      log.warn("data dir {} - cannot make {} files owner-only, first: {}", dataDir, r.failed(),
          r.firstFailure().orElse("?"));
    }
    return r;
  }
}
