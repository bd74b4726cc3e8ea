package io.certkeeper.store;

import io.certkeeper.testing.OpenSsl;
import io.certkeeper.x509.Pem;
import java.nio.file.Path;
import java.security.cert.X509Certificate;

/** Certificates for the repository tests, made by the real {@code openssl}. */
final class TestCertificates {
  private TestCertificates() {}

  /** A self-signed EC certificate for {@code cn}, valid from now for {@code days}. */
  static X509Certificate selfSigned(Path dir, String cn, int days) throws Exception {
    return Pem.readCertificates(OpenSsl.selfSigned(dir, cn, cn, days)).get(0);
  }

  /** As {@link #selfSigned}, with the serial number {@code serialHex}. */
  static X509Certificate withSerial(Path dir, String cn, String serialHex) throws Exception {
    OpenSsl.run(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", cn + ".key", "-out", cn + ".pem", "-subj", "/CN=" + cn, "-addext", "subjectAltName=DNS:" + cn,
        "-days", "30", "-set_serial", "0x" + serialHex).requireSuccess();
    return Pem.readCertificates(dir.resolve(cn + ".pem")).get(0);
  }
}
