package io.certkeeper.renew;

import io.certkeeper.util.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The generation folders of one managed certificate and the {@code current} link (see {@link
 * ManagedLayout}). A generation is written into a temporary folder and renamed into place, so a
 * folder named for a serial is always complete; the link is switched by one rename. That rename
 * is the commit point of a renewal.
 */
final class Generations {
  private final Path dataDir;
  private final String name;

  Generations(Path dataDir, String name) {
    this.dataDir = dataDir;
    this.name = name;
  }

  Path root() {
    return ManagedLayout.root(dataDir, name);
  }

  Path dir(String serial) {
    return ManagedLayout.generations(dataDir, name).resolve(serial);
  }

  /** Writes {@code g} into its own folder, complete and fsynced, and returns the folder. */
  Path write(Generation g) throws IOException {
    Path gens = ManagedLayout.generations(dataDir, name);
    Files.createDirectories(gens, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path target = gens.resolve(g.serial());
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      return target; // serials are never reused: a folder with this name is this generation
    }
    Path temp = gens.resolve("." + g.serial() + ".tmp");
    deleteTree(temp);
    Files.createDirectory(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    AtomicFiles.write(temp.resolve(ManagedLayout.KEY), ascii(g.keyPem()), AtomicFiles.PRIVATE);
    // Owner-only like everything under the data dir; copies for other programs are the configured outputs.
    AtomicFiles.write(temp.resolve(ManagedLayout.CERT), ascii(g.certPem()), AtomicFiles.PRIVATE);
    AtomicFiles.write(temp.resolve(ManagedLayout.CHAIN), ascii(g.chainPem()), AtomicFiles.PRIVATE);
    AtomicFiles.write(temp.resolve(ManagedLayout.FULLCHAIN), ascii(g.fullchainPem()), AtomicFiles.PRIVATE);
    move(temp, target);
    AtomicFiles.fsyncDirectory(gens);
    return target;
  }

  /** Points {@code current} at generation {@code serial}: one atomic rename of a new link. */
  void swap(String serial) throws IOException {
    Path root = root();
    Path link = root.resolve("current");
    Path temp = root.resolve("current.tmp");
    Files.deleteIfExists(temp);
    Files.createSymbolicLink(temp, Path.of("generations", serial));
    move(temp, link);
    AtomicFiles.fsyncDirectory(root);
  }

  /** The serial {@code current} points at, when the link exists. */
  Optional<String> currentSerial() throws IOException {
    Path link = root().resolve("current");
    if (!Files.isSymbolicLink(link)) {
      return Optional.empty();
    }
    return Optional.of(Files.readSymbolicLink(link).getFileName().toString());
  }

  /** The generation in force, read and checked. */
  Optional<Generation> current() throws IOException {
    Optional<String> serial = currentSerial();
    if (serial.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(Generation.read(dir(serial.get())));
  }

  /** The complete generation folders' serials. */
  List<String> serials() throws IOException {
    Path gens = ManagedLayout.generations(dataDir, name);
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(gens)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(gens)) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        if (!n.startsWith(".") && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          out.add(n);
        }
      }
    }
    return out;
  }

  /**
   * Deletes what a crash can leave behind (temporary folders and links) and every generation but
   * {@code keep}.
   */
  void prune(List<String> keep) throws IOException {
    Path gens = ManagedLayout.generations(dataDir, name);
    Files.deleteIfExists(root().resolve("current.tmp"));
    if (!Files.isDirectory(gens)) {
      return;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(gens)) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        if (!keep.contains(n)) {
          deleteTree(p);
        }
      }
    }
    AtomicFiles.fsyncDirectory(gens);
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("cannot rename atomically in " + to.getParent(), e);
    }
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(x);
      }
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
