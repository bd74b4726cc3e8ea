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
 * The backup file: one zip laid out like the data directory — the H2 database file from the
 * store's online backup, the store's password {@code store.secret} (without it the restored store
 * would not open), the CA directory {@code ca/}, the managed certificates' generations under
 * {@code managed/}, the ACME account keys under {@code acme/}, and {@code certkeeper-backup.json} describing what is inside: every file with
 * its size and SHA-256, and the {@code managed/NAME/current} links (a zip cannot hold a symbolic
 * link), which {@code certkeeper restore} checks and recreates. Written atomically and readable by
 * the owner only: it holds the store's password, the CA's encrypted keys and the managed
 * certificates' private keys in clear.
 *
 * <p>Format 1 (before managed certificates were backed up) has no {@code links}; restore reads both.
 */
final class BackupArchive {
  /** The description inside the archive. */
  static final String MANIFEST = "certkeeper-backup.json";
  /** The CA's folder in the data directory. */
  static final String CA_DIR = "ca";
  /** The ACME account keys: {@code acme/NAME/account.key.pem}. */
  static final String ACME_DIR = "acme";
  /** The store's password file in the data directory (absent when {@code store.password} is configured). */
  static final String STORE_SECRET = StoreSecret.FILE_NAME;

  /** The managed certificates' folder in the data directory. */
  static final String MANAGED_DIR = ManagedCopy.DIR;
  /** The H2 database file of the default store, the one file H2's {@code BACKUP TO} writes for it. */
  static final String STORE_FILE = "certkeeper.mv.db";
  /** H2 database files at the top of the archive (another name when {@code store.url} names another H2 file). */
  static final java.util.regex.Pattern STORE_FILES = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,200}\\.mv\\.db");
  /** The format this version writes. */
  static final int FORMAT = 2;

  /** One file in the archive. */
  record Entry(String path, long size, String sha256) {}

  /** A symbolic link to recreate at restore: {@code path} points at {@code target} (relative to its folder). */
  record Link(String path, String target) {}

  /** What {@code certkeeper-backup.json} says. */
  record Manifest(int format, String version, Instant createdAt, String schemaVersion, List<Entry> files,
      List<Link> links) {}

  private BackupArchive() {}

  /**
   * Writes the archive to {@code out} from H2's backup zip {@code storeZip}, the files under
   * {@code dataDir/ca} (when present; symbolic links are not followed) and {@code managed}, the
   * copy of {@code managed/} taken before the store's snapshot (see {@link BackupCommand}).
   */
  static Manifest write(Path out, Path storeZip, Path dataDir, ManagedCopy managed, String schemaVersion, Instant now)
      throws IOException {
    List<Entry> entries = new ArrayList<>();
    AtomicFiles.write(out, AtomicFiles.PRIVATE, os -> {
      ZipOutputStream zip = new ZipOutputStream(os);
      try (ZipInputStream in = new ZipInputStream(Files.newInputStream(storeZip))) {
        ZipEntry e;
        while ((e = in.getNextEntry()) != null) {
          if (!e.isDirectory()) {
            String name = safeName(e.getName());
            if (!STORE_FILES.matcher(name).matches()) {
              // restore accepts only the layout it knows; refuse here rather than write a backup it refuses
              throw new IOException("unexpected file in the store backup: " + name + " (expected " + STORE_FILE + ")");
            }
            entries.add(copy(zip, name, in));
          }
        }
      }
      Path secret = dataDir.resolve(STORE_SECRET);
      if (Files.isRegularFile(secret, LinkOption.NOFOLLOW_LINKS)) {
        try (InputStream in = Files.newInputStream(secret)) {
          entries.add(copy(zip, STORE_SECRET, in));
        }
      }
      for (String dir : new String[] {CA_DIR, ACME_DIR}) {
        Path top = dataDir.resolve(dir);
        if (!Files.isDirectory(top, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(top)) {
          files = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
        for (Path f : files) {
          String name = dir + "/" + top.relativize(f).toString().replace('\\', '/');
          if (dir.equals(ACME_DIR) && !f.getFileName().toString().equals("account.key.pem")) {
            continue; // only the account keys; restore refuses anything else there
          }
          try (InputStream in = Files.newInputStream(f)) {
            entries.add(copy(zip, name, in));
          }
        }
      }
      for (ManagedCopy.File f : managed.files()) {
        entries.add(copy(zip, f.path(), new java.io.ByteArrayInputStream(f.content())));
      }
      Manifest m = new Manifest(FORMAT, Version.current(), now, schemaVersion, List.copyOf(entries), managed.links());
      zip.putNextEntry(new ZipEntry(MANIFEST));
      zip.write(Json.pretty(m).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      zip.closeEntry();
      zip.finish();
    });
    return new Manifest(FORMAT, Version.current(), now, schemaVersion, List.copyOf(entries), managed.links());
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
