package io.certkeeper.daemon;

import io.certkeeper.config.Config;
import io.certkeeper.config.StoreConfig;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/** Opens the store the configuration describes: the embedded H2 file under the data dir by default. */
public final class StoreOpener {
  private StoreOpener() {}

  /**
   * Opens (creating the data directory 0700 when missing) and migrates the store.
   *
   * @throws StoreException naming the database when it cannot be opened, or the secret when the
   *     password cannot be read
   */
  public static Store open(Config config, Path dataDir) throws StoreException {
    StoreConfig sc = config.store();
    String url;
    if (sc.url().isPresent()) {
      url = sc.url().get();
    } else {
      createDataDir(dataDir);
      url = Store.h2Url(dataDir);
    }
    Optional<char[]> password = Optional.empty();
    if (sc.password().isPresent()) {
      try {
        password = Optional.of(sc.password().get().resolve());
      } catch (IOException e) {
        throw new StoreException("store.password: " + e.getMessage(), e);
      }
    }
    return Store.open(url, sc.user(), password, sc.poolSize());
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
}
