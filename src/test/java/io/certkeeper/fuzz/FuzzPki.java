package io.certkeeper.fuzz;

import io.certkeeper.x509.Pem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * The small PKI the fuzz seeds were made with (generated once with OpenSSL): an EC P-256 root
 * {@code CN=Fuzz Root CA} (keyCertSign, cRLSign) and a leaf {@code CN=fuzz.example}, serial 0x1234,
 * valid from 2026-11-30 for a hundred years. The seed CRL and OCSP response are signed by the root
 * and revoke the leaf; the seed keys are the leaf's; encrypted seeds use {@link #PASSPHRASE}.
 */
public final class FuzzPki {
  /** Protects the encrypted PKCS#8 and PKCS#12 seeds. */
  public static final String PASSPHRASE = "fuzz-passphrase";
  /** A time at which the chain is valid and the leaf revoked. */
  public static final Instant TIME = Instant.parse("2030-01-01T00:00:00Z");

  private static final List<X509Certificate> CHAIN = load();

  private FuzzPki() {}

  /** The leaf, then its root. */
  public static List<X509Certificate> chain() {
    return CHAIN;
  }

  public static X509Certificate leaf() {
    return CHAIN.get(0);
  }

  public static X509Certificate root() {
    return CHAIN.get(1);
  }

  private static List<X509Certificate> load() {
    try (InputStream in = FuzzPki.class.getResourceAsStream("chain.pem")) {
      if (in == null) {
        throw new IllegalStateException("test resource io/certkeeper/fuzz/chain.pem is missing");
      }
      return Pem.parseCertificates(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
