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

/**
 * {@code certkeeper backup}. The order of the copies is what makes a backup taken during a renewal
 * restorable: {@code managed/} is copied first, the store's snapshot is taken after it. A renewal
 * issues (the store records the certificate), writes the new generation, switches the {@code
 * current} link, then records the switch in the store; so whatever the interleaving, the store in
 * the archive knows every certificate the copied links and folders name, and at worst names a
 * newer serial in force than the copied link. The restored daemon's {@link
 * io.certkeeper.renew.Reconciler} treats the link as the truth and moves the store's row back to
 * it, as after a crash between the swap and the store update; the newer certificate stays in the
 * store as issued and never deployed, and the next renewal check renews again. The other order
 * could restore a certificate in force that the store never heard of.
 */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description = {
      "Write a consistent copy of the data directory to one zip file.",
      "The file holds the store, its password, the CA directory and the managed certificates (managed/:",
      "every generation and which one is in force); its mode is 0600, as it holds private keys.",
      "Safe while the daemon runs: the store is copied from one snapshot, and a renewal during the backup",
      "is settled by the restored daemon at start. Restore with 'certkeeper restore'.",
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
    ManagedCopy managed;
    try {
      managed = ManagedCopy.read(dataDir); // before the store's snapshot: see the class comment
      String schema;
      try (Store store = root.openStore()) {
        StoreBackup.backupTo(store, storeZip);
        schema = store.schemaVersion();
      }
      manifest = BackupArchive.write(out.toAbsolutePath(), storeZip, dataDir, managed, schema,
          root.clock().instant());
    } catch (IOException e) {
      throw new CliException(ExitCodes.USAGE, "cannot write the backup " + out + ": " + io.certkeeper.util.ErrorText.reason(out, e), e);
    } finally {
      Files.deleteIfExists(storeZip);
    }
    long caFiles = manifest.files().stream().filter(f -> f.path().startsWith(BackupArchive.CA_DIR + "/")).count();
    long bytes = manifest.files().stream().mapToLong(BackupArchive.Entry::size).sum();
    boolean secret = manifest.files().stream().anyMatch(f -> f.path().equals(BackupArchive.STORE_SECRET));
    root.out().printf("backed up the store (schema %s)%s, %d CA files and %d managed certificates"
        + " (%d generations), %d bytes, to %s%n", manifest.schemaVersion(),
        secret ? ", its password (" + BackupArchive.STORE_SECRET + ")" : "", caFiles, managed.certificates(),
        managed.generations(), bytes, out);
    if (!secret && config.store().password().isPresent()) {
      root.out().printf("the store's password is not in the backup: keep %s with it%n", config.store().password().get());
    }
    return ExitCodes.OK;
  }
}
