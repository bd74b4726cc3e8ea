package io.certkeeper.cli;

import io.certkeeper.config.Config;
import io.certkeeper.store.Store;
import io.certkeeper.util.AtomicFiles;

import io.certkeeper.util.Posix;
import java.io.IOException;




import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code certkeeper restore}: the data directory back from a {@code certkeeper backup} file, as a
 * whole or not at all. The archive is checked through before anything is written ({@link
 * RestoreArchive#check}); it is unpacked into a new folder next to the data directory, which is
 * renamed into place once complete. A data directory that holds anything is moved aside (with
 * {@code --force}), never deleted: the restore may be the mistake.
 *
 * <p>The restored {@code managed/NAME/current} links are the truth about which generation is in
 * force; the daemon's reconciler brings the store and the configured outputs in line with them at
 * start (see {@link BackupCommand} for why a backup taken during a renewal needs that).
 */
@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    description = {
      "Restore the data directory from a file written by 'certkeeper backup': the store, its password,",
      "the CA directory and the managed certificates. The archive is checked first (manifest, every",
      "file's size and SHA-256, names, sizes); it is unpacked next to the data directory and renamed",
      "into place as a whole, owner-only (folders 0700, files 0600). Stop the daemon first. Start it",
      "afterwards: it puts each managed certificate's generation back in force and rewrites its outputs."
    },
    footer = {
      "",
      "Exit codes: 0 restored (with --check: the file is intact and the data directory can take it);",
      "1 refused or failed, with one line per problem: nothing in the data directory was changed;",
      "2 configuration error."
    })
final class RestoreCommand implements Callable<Integer> {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final DateTimeFormatter ASIDE_STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final int CONNECT_TIMEOUT_MILLIS = 1000;

  @Spec CommandSpec spec;

  @Option(names = "--from", paramLabel = "FILE", required = true, description = "The backup file to restore.")
  Path from;

  @Option(names = "--force",
      description = "Restore into a data directory that is not empty: its contents are moved to"
          + " DATA_DIR.before-restore-TIMESTAMP first (never deleted).")
  boolean force;

  @Option(names = "--check", description = "Check the file and the data directory only; change nothing.")
  boolean checkOnly;

  /** Bounds on what an archive may hold. */
  private static final RestoreArchive.Limits LIMITS = RestoreArchive.Limits.DEFAULT;

  @Override
  public Integer call() throws Exception {
    CertkeeperCommand root = CertkeeperCommand.of(spec);
    Config config = root.config();
    if (config.store().url().isPresent()) {
      String url = config.store().url().get();
      throw CliException.usage(url.startsWith("jdbc:postgresql:")
          ? "the store is PostgreSQL: restore it with pg_restore; 'certkeeper restore' writes the embedded H2 store"
          : "store.url names the store: 'certkeeper restore' writes the embedded store in the data directory only");
    }
    Path file = from.toAbsolutePath().normalize();
    if (!Files.isRegularFile(file)) {
      throw CliException.usage("no backup file at " + file);
    }
    Path configured = root.dataDir();
    // restore behind a symbolic link, which keeps pointing there
    Path dataDir = Files.isSymbolicLink(configured) ? configured.toRealPath() : configured;

    RestoreArchive.Checked checked;
    try {
      checked = RestoreArchive.check(file, LIMITS);
    } catch (RestoreArchive.Refused e) {
      for (String p : e.problems()) {
        root.err().println("certkeeper: " + file.getFileName() + ": " + Main.oneLine(p));
      }
      throw CliException.usage("the backup " + file + " is refused (" + e.problems().size()
          + " problems above); nothing was changed");
    }
    Target target = Target.of(dataDir);
    if (target.exists() && !target.directory()) {
      throw CliException.usage(dataDir + " is not a directory; nothing was changed");
    }
    Optional<String> user = storeInUse(dataDir);
    if (user.isPresent()) {
      throw CliException.usage("the store in " + dataDir + " is open in another process (" + user.get()
          + "): stop the daemon, then restore; nothing was changed");
    }
    if (target.entries() > 0 && !force) {
      throw CliException.usage(dataDir + " is not empty (" + target.entries() + " entries): restore into an empty"
          + " or new directory, or give --force to move its contents aside; nothing was changed");
    }
    String what = describe(checked);
    if (checkOnly) {
      root.out().printf("%s is intact: %s; %s can take it%s%n", file, what, dataDir,
          target.entries() > 0 ? " (its contents would be moved aside)" : "");
      return ExitCodes.OK;
    }

    Path parent = dataDir.getParent();
    Files.createDirectories(parent);
    byte[] random = new byte[6];
    RANDOM.nextBytes(random);
    Path temp = parent.resolve("." + dataDir.getFileName() + ".restore-" + HexFormat.of().formatHex(random));
    Optional<Path> aside = Optional.empty();
    try {
      Files.createDirectory(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      RestoreArchive.extract(file, checked, LIMITS, temp);
      if (target.exists()) {
        adoptOwner(temp, dataDir);
      }
      if (target.entries() > 0) {
        aside = Optional.of(asideName(dataDir, root));
        rename(dataDir, aside.get());
      }
      rename(temp, dataDir); // rename(2) replaces an empty directory in the same step

      AtomicFiles.fsyncDirectory(parent);
    } catch (IOException e) {
      String undo = "";
      if (aside.isPresent() && !Files.exists(dataDir, LinkOption.NOFOLLOW_LINKS)) {
        try {
          rename(aside.get(), dataDir);
        } catch (IOException again) {
          undo = "; the previous contents are in " + aside.get() + " (" + again.getMessage() + ")";
        }
      }
      deleteTree(temp);
      throw new CliException(ExitCodes.USAGE, "cannot restore " + file + " into " + dataDir + ": " + io.certkeeper.util.ErrorText.of(e)
          + (undo.isEmpty() ? "; nothing was changed" : undo), e);
    }
    root.out().printf("restored %s into %s: %s%n", file, dataDir, what);
    aside.ifPresent(a -> root.out().printf("the previous contents of %s are in %s: delete them once the restored"
        + " daemon works%n", dataDir.getFileName(), a));
    root.out().println("start the daemon: it puts each managed certificate's generation back in force and"
        + " rewrites its outputs");
    return ExitCodes.OK;
  }

  private static String describe(RestoreArchive.Checked c) {
    var m = c.manifest();
    return String.format(Locale.ROOT, "the store (schema %s)%s, %d CA files and %d managed certificates"
        + " (%d generations), %d bytes, written by certkeeper %s at %s", m.schemaVersion(),
        c.hasSecret() ? ", its password (" + BackupArchive.STORE_SECRET + ")" : "", c.caFiles(), m.links().size(),
        c.managedGenerations(), c.bytes(), m.version(), m.createdAt() == null ? "an unknown time" : m.createdAt());
  }

  /** What is at the data directory's path now. */
  private record Target(boolean exists, boolean directory, int entries) {
    static Target of(Path dir) throws IOException {
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        return new Target(false, false, 0);
      }
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        return new Target(true, false, 0);
      }
      int n = 0;
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
        for (Path ignored : ds) {
          n++;
        }
      }
      return new Target(true, true, n);
    }
  }

  /** Which process has the store in {@code dataDir} open, if one has ({@link Store#heldElsewhere}). */
  static Optional<String> storeInUse(Path dataDir) {
    return Store.heldElsewhere(dataDir);
  }

  private Path asideName(Path dataDir, CertkeeperCommand root) {
    String base = dataDir.getFileName() + ".before-restore-" + ASIDE_STAMP.format(root.clock().instant());
    Path aside = dataDir.resolveSibling(base);
    for (int i = 2; Files.exists(aside, LinkOption.NOFOLLOW_LINKS); i++) {
      aside = dataDir.resolveSibling(base + "-" + i);
    }
    return aside;
  }

  private static void rename(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("cannot rename " + from + " to " + to + " atomically (is " + to
          + " a mount point?)", e);
    } catch (FileSystemException e) {
      throw new IOException("cannot rename " + from + " to " + to + ": " + e.getReason(), e);
    }
  }

  /**
   * Gives the restored tree the owner and group of the data directory it replaces, when they
   * differ and this process is root (restoring for the service's user); a no-op otherwise.
   */
  private static void adoptOwner(Path tree, Path dataDir) throws IOException {
    PosixFileAttributes was = Files.readAttributes(dataDir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    PosixFileAttributes now = Files.readAttributes(tree, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    UserPrincipal owner = was.owner();
    GroupPrincipal group = was.group();
    if ((owner.equals(now.owner()) && group.equals(now.group())) || !Posix.effectiveUid().equals(Optional.of(0))) {
      return;
    }
    List<Path> all;
    try (Stream<Path> walk = Files.walk(tree)) {
      all = walk.toList();
    }
    for (Path p : all) {
      PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class,
          LinkOption.NOFOLLOW_LINKS);
      view.setOwner(owner);
      view.setGroup(group);
    }
  }

  private static void deleteTree(Path p) {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(x);
      }
    } catch (IOException e) {
      // best effort: a dot-folder next to the data directory, named in no configuration
    }
  }
}
