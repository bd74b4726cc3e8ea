import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Rewrites every signed jar in a directory without its signature: the signature files
 * ({@code META-INF/*.SF}, {@code .RSA}, {@code .DSA}, {@code .EC}) go, and the manifest keeps its
 * main section only (the per-entry digests go with the signature). Everything else is copied as
 * it is, in the same order. Run by the build over {@code target/lib}: {@code java
 * scripts/UnsignJars.java target/lib}.
 *
 * <p>Why: the JVM's class-data-sharing archive leaves out every class of a signed jar, and the
 * first class loaded from one makes the JVM check the signature and then hash every class it
 * reads. Bouncy Castle's jars are the signed ones; unsigned, their classes go into the archive and
 * {@code verify} and {@code probe} start 150 to 200 ms sooner. Maven has already checked the jars'
 * checksums when it downloaded them. Oracle's JDK (not OpenJDK) refuses an unsigned JCE provider
 * for ciphers, which README states as a limit.
 */
public final class UnsignJars {
  private UnsignJars() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: java UnsignJars.java DIR");
      System.exit(2);
    }
    try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of(args[0]), "*.jar")) {
      for (Path jar : jars) {
        if (isSigned(jar)) {
          unsign(jar);
          System.out.println("unsigned " + jar.getFileName());
        }
      }
    }
  }

  private static boolean isSignature(String name) {
    String upper = name.toUpperCase(java.util.Locale.ROOT);
    return upper.startsWith("META-INF/") && upper.indexOf('/', "META-INF/".length()) < 0
        && (upper.endsWith(".SF") || upper.endsWith(".RSA") || upper.endsWith(".DSA") || upper.endsWith(".EC"));
  }

  private static boolean isSigned(Path jar) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      return zip.stream().anyMatch(e -> isSignature(e.getName()));
    }
  }

  private static void unsign(Path jar) throws IOException {
    Path tmp = jar.resolveSibling(jar.getFileName() + ".tmp");
    try (JarFile in = new JarFile(jar.toFile(), false);
        ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(tmp))) {
      Manifest manifest = new Manifest();
      manifest.getMainAttributes().putAll(in.getManifest().getMainAttributes());
      manifest.getMainAttributes().putIfAbsent(Attributes.Name.MANIFEST_VERSION, "1.0");
      out.putNextEntry(new ZipEntry(JarFile.MANIFEST_NAME));
      manifest.write(out);
      out.closeEntry();
      for (ZipEntry e : java.util.Collections.list(in.entries())) {
        if (e.getName().equalsIgnoreCase(JarFile.MANIFEST_NAME) || isSignature(e.getName())) {
          continue;
        }
        ZipEntry copy = new ZipEntry(e.getName());
        copy.setTime(e.getTime());
        out.putNextEntry(copy);
        try (InputStream data = in.getInputStream(e)) {
          data.transferTo(out);
        }
        out.closeEntry();
      }
    }
    Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
