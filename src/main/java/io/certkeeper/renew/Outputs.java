package io.certkeeper.renew;

import io.certkeeper.config.CertificateConfig.Output;
import io.certkeeper.config.OutputType;
import io.certkeeper.util.AtomicFiles;
import io.certkeeper.util.BoundedRead;
import io.certkeeper.x509.Fingerprints;
import io.certkeeper.x509.Pkcs12;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The configured output files of a managed certificate. Each file is written atomically, with its
 * mode from creation and its owner and group set through the open file before it appears; a key or
 * PKCS#12 file is only written into a directory no other user can change (see {@link AtomicFiles}); the set of files is brought
 * in line one file after the other (see {@link Reconciler} for how a crash in between is
 * repaired).
 */
final class Outputs {
  /** A PKCS#12 output larger than this is not read back. */
  static final long MAX_P12 = 1024 * 1024;

  private Outputs() {}

  /** Writes every output of {@code g}; certificates first, keys last. */
  static void write(List<Output> outputs, Generation g, String name) throws IOException {
    for (Output o : ordered(outputs)) {
      write(o, g, name);
    }
  }

  /** The outputs that do not hold {@code g} (missing, older, damaged). */
  static List<Output> stale(List<Output> outputs, Generation g) {
    return outputs.stream().filter(o -> !holds(o, g)).toList();
  }

  private static List<Output> ordered(List<Output> outputs) {
    return outputs.stream().sorted((a, b) -> Boolean.compare(a.secret(), b.secret())).toList();
  }

  static void write(Output o, Generation g, String name) throws IOException {
    byte[] content = content(o, g, name);
    try {
      AtomicFiles.write(o.path(), content, permissions(o.mode()), file -> chown(o, file));
    } finally {
      Arrays.fill(content, (byte) 0);
    }
  }

  /** Deletes temporary files a crash left next to the outputs (they may hold a key). */
  static void cleanTemporaries(List<Output> outputs) throws IOException {
    for (Output o : outputs) {
      Path dir = o.path().toAbsolutePath().getParent();
      if (!Files.isDirectory(dir)) {
        continue;
      }
      String prefix = "." + o.path().getFileName() + ".tmp-";
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(prefix))) {
        for (Path p : ds) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static byte[] content(Output o, Generation g, String name) throws IOException {
    return switch (o.type()) {
      case KEY -> ascii(g.keyPem());
      case CERT -> ascii(g.certPem());
      case CHAIN -> ascii(g.chainPem());
      case FULLCHAIN -> ascii(g.fullchainPem());
      case PKCS12 -> {
        char[] password = o.password().get().resolve();
        try {
          yield Pkcs12.write(g.key(), g.fullChain(), password, name);
        } finally {
          Arrays.fill(password, '\0');
        }
      }
    };
  }

  /** Whether the file at {@code o} holds exactly {@code g}'s part, with the configured mode. */
  static boolean holds(Output o, Generation g) {
    Path p = o.path();
    try {
      if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
      if (p.getFileSystem().supportedFileAttributeViews().contains("posix")
          && !Files.getPosixFilePermissions(p).equals(permissions(o.mode()))) {
        return false;
      }
      if (o.type() == OutputType.PKCS12) {
        return p12Holds(o, g);
      }
      byte[] want = content(o, g, "");
      return Arrays.equals(BoundedRead.bytes(p, want.length), want);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static boolean p12Holds(Output o, Generation g) throws IOException {
    byte[] bytes = BoundedRead.bytes(o.path(), MAX_P12);
    char[] password = o.password().get().resolve();
    try {
      KeyStore ks = Pkcs12.load(bytes, "PKCS12", password);
      for (String alias : java.util.Collections.list(ks.aliases())) {
        if (ks.isKeyEntry(alias) && ks.getCertificate(alias) instanceof X509Certificate c) {
          return Fingerprints.sha256(c).equals(g.sha256());
        }
      }
      return false;
    } catch (GeneralSecurityException e) {
      return false;
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  /** Gives the open temporary file to the configured owner and group (through the file, not its name). */
  private static void chown(Output o, PosixFileAttributeView view) throws IOException {
    if (o.owner().isEmpty() && o.group().isEmpty()) {
      return;
    }
    UserPrincipalLookupService lookup = o.path().getFileSystem().getUserPrincipalLookupService();
    try {
      if (o.owner().isPresent()) {
        UserPrincipal user = lookup.lookupPrincipalByName(o.owner().get());
        if (!user.equals(view.getOwner())) {
          view.setOwner(user);
        }
      }
      if (o.group().isPresent()) {
        GroupPrincipal group = lookup.lookupPrincipalByGroupName(o.group().get());
        view.setGroup(group);
      }
    } catch (UserPrincipalNotFoundException e) {
      throw new IOException(o.path() + ": no such user or group '" + e.getName() + "'", e);
    } catch (FileSystemException e) {
      throw new IOException(o.path() + ": cannot give the file to " + o.owner().orElse("(same owner)") + ":"
          + o.group().orElse("(same group)") + " as user " + System.getProperty("user.name")
          + " (only root may give a file to another user, and a group must be one of the user's): "
          + e.getReason(), e);
    }
  }

  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = {
      PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
    };
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (1 << i)) != 0) {
        s.add(bits[i]);
      }
    }
    return s;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
