package io.certkeeper.cli;

import io.certkeeper.config.Config;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreBackup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description = {
      "Write a consistent copy of the store, its password and the CA directory to one zip file (mode 0600).",
      "Safe while the daemon runs: the store is copied from one snapshot. To restore, stop the daemon",
      "and unzip the file into an empty data directory (see README, 'Backup and restore').",
      "A PostgreSQL store is backed up with pg_dump instead."
    })
final class BackupCommand implements Callable<Integer> {
  private static final SecureRandom RANDOM = new SecureRandom();

  @Spec CommandSpec spec;

  @Option(names = "--out", paramLabel = "FILE", required = true,
      description = "The backup file to write (replaced atomically if it exists).")
  Path out;

  @Override
  public Integer call() throws Exception {
    CertkeeperCommand root = CertkeeperCommand.of(spec);
    Config config = root.config();
    if (config.store().url().map(u -> u.startsWith("jdbc:postgresql:")).orElse(false)) {
      throw CliException.usage("the store is PostgreSQL: back it up with pg_dump"
          + " (e.g. pg_dump -Fc -f certkeeper.dump DBNAME); 'certkeeper backup' copies the embedded H2 store");
    }
    Path dataDir = root.dataDir();
    if (config.store().url().isEmpty() && !Files.exists(dataDir.resolve("certkeeper.mv.db"))) {
      throw CliException.usage("no store in " + dataDir + " (no certkeeper.mv.db): nothing to back up");
    }
    // The daemon's process writes H2's backup when it serves the store; the data dir is the one
    // place it can surely write (under systemd everything else is read-only or private to it).
    byte[] random = new byte[6];
    RANDOM.nextBytes(random);
    Path storeZip = dataDir.resolve(".backup-" + HexFormat.of().formatHex(random) + ".zip");
    BackupArchive.Manifest manifest;
    try {
      String schema;
      try (Store store = root.openStore()) {
        StoreBackup.backupTo(store, storeZip);
        schema = store.schemaVersion();
      }
      manifest = BackupArchive.write(out.toAbsolutePath(), storeZip, dataDir, schema, root.clock().instant());
    } catch (IOException e) {
      throw new CliException(ExitCodes.USAGE, "cannot write the backup " + out + ": " + e.getMessage(), e);
    } finally {
      Files.deleteIfExists(storeZip);
    }
    long caFiles = manifest.files().stream().filter(f -> f.path().startsWith(BackupArchive.CA_DIR + "/")).count();
    long bytes = manifest.files().stream().mapToLong(BackupArchive.Entry::size).sum();
    boolean secret = manifest.files().stream().anyMatch(f -> f.path().equals(BackupArchive.STORE_SECRET));
    root.out().printf("backed up the store (schema %s)%s and %d CA files, %d bytes, to %s%n",
        manifest.schemaVersion(), secret ? ", its password (" + BackupArchive.STORE_SECRET + ")" : "", caFiles,
        bytes, out);
    if (!secret && config.store().password().isPresent()) {
      root.out().printf("the store's password is not in the backup: keep %s with it%n", config.store().password().get());
    }
    return ExitCodes.OK;
  }
}
