package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify}'s profile and certificate-policy options, on NIST PKITS 4.8.1 (every certificate
 * asserts NIST-test-policy-1) and 4.1.4 (a DSA CA signing with SHA-1): run as a user would.
 */
class VerifyPolicyCliTest {
  private static final String POLICY_1 = "2.16.840.1.101.3.2.1.48.1";
  private static final String POLICY_2 = "2.16.840.1.101.3.2.1.48.2";
  private static final String AT = "2011-04-15T00:00:00Z";

  @TempDir Path dir;

  private Path pkits(String name) throws IOException {
    Path out = dir.resolve(name);
    try (InputStream in = getClass().getResourceAsStream("/nist-pkits/certs/" + name)) {
      Files.copy(in, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    return out;
  }

  private CliRunner.Run verify(String... extra) throws IOException {
    return verifyWith("GoodCACert.crt", "ValidCertificatePathTest1EE.crt", extra);
  }

  private CliRunner.Run verifyWith(String ca, String leaf, String... extra) throws IOException {
    String[] base = {"verify", "--at", AT, "--purpose", "any",
        "--trusted", pkits("TrustAnchorRootCertificate.crt").toString(),
        "--untrusted", pkits(ca).toString()};
    String[] args = new String[base.length + extra.length + 1];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    args[args.length - 1] = pkits(leaf).toString();
    return CliRunner.run(args);
  }

  @Test
  void theWebPkiProfileRefusesDsaAndRfc5280AcceptsIt() throws IOException {
    CliRunner.Run web = verifyWith("DSACACert.crt", "ValidDSASignaturesTest4EE.crt", "--json");
    assertEquals(2, web.exitCode(), web.out());
    assertTrue(web.out().contains("\"weak_key\"") && web.out().contains("\"weak_signature\""), web.out());
    CliRunner.Run rfc = verifyWith("DSACACert.crt", "ValidDSASignaturesTest4EE.crt", "--profile", "rfc5280");
    assertEquals(0, rfc.exitCode(), rfc.out() + rfc.err());
  }

  @Test
  void anExplicitPolicyMustBeOneThePathAsserts() throws IOException {
    CliRunner.Run ok = verify("--profile", "rfc5280", "--policy", POLICY_1, "--require-explicit-policy");
    assertEquals(0, ok.exitCode(), ok.out() + ok.err());
    CliRunner.Run other = verify("--profile", "rfc5280", "--policy", POLICY_2, "--require-explicit-policy",
        "--json");
    assertEquals(2, other.exitCode(), other.out() + other.err());
    assertTrue(other.out().contains("\"policy_violation\""), other.out());
  }

  @Test
  void aPolicyThatIsNotAnOidIsAUsageError() throws IOException {
    CliRunner.Run r = verify("--policy", "not-an-oid");
    assertEquals(1, r.exitCode(), r.err());
    assertTrue(r.err().contains("--policy: not a policy OID: 'not-an-oid'"), r.err());
  }
}
