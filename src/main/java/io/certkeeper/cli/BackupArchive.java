package io.certkeeper.cli;

import io.certkeeper.store.StoreSecret;
import io.certkeeper.util.AtomicFiles;
import io.certkeeper.util.Json;
import io.certkeeper.util.Version;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The backup file: one zip laid out like the data directory, so that unzipping it into an empty
 * data directory restores it — the H2 database file(s) from the store's online backup, the store's
 * password {@code store.secret} (without it the restored store would not open), the CA directory
 * {@code ca/}, and {@code certkeeper-backup.json} describing what is inside. Written atomically and
 * readable by the owner only (it holds the store's password and the CA's encrypted keys).
 */
final class BackupArchive {
  /** The description inside the archive. */
  static final String MANIFEST = "certkeeper-backup.json";
  /** The CA's folder in the data directory. */
  static final String CA_DIR = "ca";
  /** The store's password file in the data directory (absent when {@code store.password} is configured). */
  static final String STORE_SECRET = StoreSecret.FILE_NAME;

  /** One file in the archive. */
  record Entry(String path, long size, String sha256) {}

  /** What {@code certkeeper-backup.json} says. */
  record Manifest(int format, String version, Instant createdAt, String schemaVersion, List<Entry> files) {}

  private BackupArchive() {}

  /**
   * Writes the archive to {@code out} from H2's backup zip {@code storeZip} and the files under
   * {@code dataDir/ca} (when present; symbolic links are not followed).
   */
  static Manifest write(Path out, Path storeZip, Path dataDir, String schemaVersion, Instant now) throws IOException {
    List<Entry> entries = new ArrayList<>();
    AtomicFiles.write(out, AtomicFiles.PRIVATE, os -> {
      ZipOutputStream zip = new ZipOutputStream(os);
      try (ZipInputStream in = new ZipInputStream(Files.newInputStream(storeZip))) {
        ZipEntry e;
        while ((e = in.getNextEntry()) != null) {
          if (!e.isDirectory()) {
            entries.add(copy(zip, safeName(e.getName()), in));
          }
        }
      }
      Path secret = dataDir.resolve(STORE_SECRET);
      if (Files.isRegularFile(secret, LinkOption.NOFOLLOW_LINKS)) {
        try (InputStream in = Files.newInputStream(secret)) {
          entries.add(copy(zip, STORE_SECRET, in));
        }
      }
      Path ca = dataDir.resolve(CA_DIR);
      if (Files.isDirectory(ca, LinkOption.NOFOLLOW_LINKS)) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(ca)) {
          files = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
        for (Path f : files) {
          String name = CA_DIR + "/" + ca.relativize(f).toString().replace('\\', '/');
          try (InputStream in = Files.newInputStream(f)) {
            entries.add(copy(zip, name, in));
          }
        }
      }
      Manifest m = new Manifest(1, Version.current(), now, schemaVersion, List.copyOf(entries));
      zip.putNextEntry(new ZipEntry(MANIFEST));
      zip.write(Json.pretty(m).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      zip.closeEntry();
      zip.finish();
    });
    return new Manifest(1, Version.current(), now, schemaVersion, List.copyOf(entries));
  }

  private static Entry copy(ZipOutputStream zip, String name, InputStream in) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    MessageDigest sha = sha256();
    long size;
    try (OutputStream counted = new DigestOutputStream(nonClosing(zip), sha)) {
      size = in.transferTo(counted);
    }
    zip.closeEntry();
    return new Entry(name, size, HexFormat.of().formatHex(sha.digest()));
  }

  /** A name from H2's zip, refused when it would land outside the data directory on restore. */
  static String safeName(String name) throws IOException {
    String n = name.replace('\\', '/');
    if (n.startsWith("/") || n.contains("../") || n.equals("..") || n.isBlank()) {
      throw new IOException("unexpected file name in the store backup: " + name);
    }
    return n;
  }

  private static OutputStream nonClosing(OutputStream out) {
    return new java.io.FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        flush();
      }
    };
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
