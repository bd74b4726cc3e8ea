package io.certkeeper.daemon;

import io.certkeeper.x509.Pem;
import io.certkeeper.x509.TrustAnchors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * The trust anchors a probe validates against: the JDK's trust store (unless turned off), extra
 * PEM files, and the local CA's root when one exists under the data directory.
 */
public final class TrustSources {
  /** Where {@code certkeeper ca init} puts the root certificate. */
  public static final String LOCAL_ROOT = "ca/root.pem";
  /** Where the local CA's intermediate is, when it has one (it then signs leaves and CRLs). */
  public static final String LOCAL_INTERMEDIATE = "ca/intermediate.pem";
  /** Where the local CA publishes its current CRL. */
  public static final String LOCAL_CRL = "ca/crl.der";

  private TrustSources() {}

  /**
   * @throws IOException naming the file that cannot be read or holds no certificate
   */
  public static TrustAnchors anchors(boolean system, List<Path> caFiles, Path dataDir) throws IOException {
    List<X509Certificate> extra = new ArrayList<>();
    for (Path f : caFiles) {
      extra.addAll(Pem.readCertificates(f));
    }
    Path root = dataDir.resolve(LOCAL_ROOT);
    if (Files.isRegularFile(root)) {
      extra.addAll(Pem.readCertificates(root));
    }
    TrustAnchors files = TrustAnchors.of(extra);
    return system ? TrustAnchors.system().plus(files) : files;
  }
}
