package io.certkeeper.cli;

import io.certkeeper.renew.ManagedLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An in-memory copy of {@code managed/}: for every managed name the generation its {@code
 * current} link points at, and every other complete generation folder, with the link itself as a
 * {@link BackupArchive.Link} (a zip cannot hold a symbolic link).
 *
 * <p>The link is read first and the folders after it: a renewal commits by writing a new folder
 * and then renaming the link, and keeps the previous folder, so a link read before the folders
 * always names a folder that is still there. When it is not (two renewals within the copy, or a
 * damaged folder), the copy is taken again, a bounded number of times.
 */
final class ManagedCopy {
  /** The managed certificates' folder in the data directory. */
  static final String DIR = "managed";
  /** The files of one generation, as {@link ManagedLayout} names them. */
  static final List<String> GENERATION_FILES =
      List.of(ManagedLayout.KEY, ManagedLayout.CERT, ManagedLayout.CHAIN, ManagedLayout.FULLCHAIN);
  /** A managed name, as the configuration allows it. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
  /** A generation folder: the certificate's serial in lower-case hex. */
  static final Pattern SERIAL = Pattern.compile("[0-9a-f]{1,64}");
  /** Files of a generation larger than this are not certificates or keys. */
  static final int MAX_FILE = 1024 * 1024;
  private static final int ATTEMPTS = 3;

  /** One file to put in the archive. */
  record File(String path, byte[] content) {}

  private final List<File> files;
  private final List<BackupArchive.Link> links;

  private ManagedCopy(List<File> files, List<BackupArchive.Link> links) {
    this.files = List.copyOf(files);
    this.links = List.copyOf(links);
  }

  List<File> files() {
    return files;
  }

  List<BackupArchive.Link> links() {
    return links;
  }

  /** The number of managed names with a generation in force. */
  int certificates() {
    return links.size();
  }

  /** The number of generation folders copied. */
  long generations() {
    return files.stream().map(f -> f.path().substring(0, f.path().lastIndexOf('/'))).distinct().count();
  }

  /**
   * Copies {@code dataDir/managed}; empty when there is none.
   *
   * @throws IOException when a folder cannot be read, or the generation in force of a name is
   *     still missing or incomplete after a few attempts
   */
  static ManagedCopy read(Path dataDir) throws IOException {
    Path managed = dataDir.resolve(DIR);
    List<File> files = new ArrayList<>();
    List<BackupArchive.Link> links = new ArrayList<>();
    if (!Files.isDirectory(managed, LinkOption.NOFOLLOW_LINKS)) {
      return new ManagedCopy(files, links);
    }
    for (String name : sortedNames(managed)) {
      if (!NAME.matcher(name).matches() || !Files.isDirectory(managed.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
        continue; // not a managed certificate's folder (a temporary or foreign file)
      }
      copyName(dataDir, name, files, links);
    }
    return new ManagedCopy(files, links);
  }

  private static void copyName(Path dataDir, String name, List<File> files, List<BackupArchive.Link> links)
      throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      List<File> copied = new ArrayList<>();
      Optional<String> current = currentSerial(dataDir, name);
      Path gens = ManagedLayout.generations(dataDir, name);
      List<String> serials = Files.isDirectory(gens, LinkOption.NOFOLLOW_LINKS) ? sortedNames(gens) : List.of();
      boolean currentCopied = false;
      for (String serial : serials) {
        if (!SERIAL.matcher(serial).matches()) {
          continue; // a temporary folder of a renewal in progress (".SERIAL.tmp")
        }
        Optional<List<File>> g = copyGeneration(gens.resolve(serial), DIR + "/" + name + "/generations/" + serial);
        if (g.isPresent()) {
          copied.addAll(g.get());
          currentCopied |= current.map(serial::equals).orElse(false);
        }
      }
      if (current.isEmpty() || currentCopied) {
        files.addAll(copied);
        current.ifPresent(s -> links.add(new BackupArchive.Link(DIR + "/" + name + "/current", "generations/" + s)));
        return;
      }
      last = new IOException(ManagedLayout.current(dataDir, name) + " points at generation " + current.get()
          + ", which is missing or incomplete");
    }
    throw last;
  }

  /** The serial the {@code current} link names, when it is a link of the form renewals write. */
  private static Optional<String> currentSerial(Path dataDir, String name) throws IOException {
    Path link = ManagedLayout.current(dataDir, name);
    if (!Files.isSymbolicLink(link)) {
      return Optional.empty();
    }
    Path target = Files.readSymbolicLink(link);
    if (target.getNameCount() != 2 || !target.getName(0).toString().equals("generations")
        || !SERIAL.matcher(target.getFileName().toString()).matches() || target.isAbsolute()) {
      throw new IOException(link + " points at " + target + ", not at generations/SERIAL");
    }
    return Optional.of(target.getFileName().toString());
  }

  /** The four files of a generation folder; empty when one is missing (a folder being deleted). */
  private static Optional<List<File>> copyGeneration(Path dir, String prefix) throws IOException {
    List<File> out = new ArrayList<>();
    for (String f : GENERATION_FILES) {
      Path p = dir.resolve(f);
      if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty();
      }
      try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
        byte[] content = in.readNBytes(MAX_FILE + 1);
        if (content.length > MAX_FILE) {
          throw new IOException(p + " is larger than " + MAX_FILE + " bytes");
        }
        out.add(new File(prefix + "/" + f, content));
      } catch (NoSuchFileException e) {
        return Optional.empty();
      }
    }
    return Optional.of(out);
  }

  private static List<String> sortedNames(Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        names.add(p.getFileName().toString());
      }
    } catch (NoSuchFileException e) {
      return names;
    }
    names.sort(null);
    return names;
  }
}
