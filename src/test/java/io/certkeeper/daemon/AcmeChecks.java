package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.ExternalTool;
import io.certkeeper.testing.Pebble;
import java.nio.file.Path;
import java.util.Locale;

/** What the ACME tests share: the account section for a pebble, and openssl's look at a listener. */
final class AcmeChecks {
  private AcmeChecks() {}

  /** {@code acme:} with one account, {@code pebble}, trusting the test's pebble (passphrase from ACME_PASS). */
  static String pebbleAccount(Pebble pebble) {
    return "acme:\n"
        + "  passphrase: env:ACME_PASS\n"
        + "  accounts:\n"
        + "    - {name: pebble, directory: '" + pebble.directory() + "', agree-tos: true, ca-files: [" + pebble.tlsCa()
        + "]}\n";
  }

  /** The serial (lowercase hex) of what {@code port} serves for {@code name}, after openssl verified it against {@code root}. */
  static String verifiedSerial(Path dir, int port, Path root, String name) {
    ExternalTool.Result r = ExternalTool.run(dir, "/bin/sh", "-c",
        "openssl s_client -connect 127.0.0.1:" + port + " -servername " + name + " -verify_return_error"
            + " -verify_hostname " + name + " -CAfile " + root + " </dev/null 2>/dev/null | openssl x509 -noout -serial");
    assertTrue(r.ok() && r.output().contains("serial="), "openssl could not verify " + name + ": " + r.output());
    return r.output().trim().replaceFirst("^serial=", "").toLowerCase(Locale.ROOT).replaceFirst("^0+", "");
  }
}
