package io.certkeeper.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stapled OCSP responses made by {@code openssl ocsp}, read offline. */
class OcspStapleTest {
  @TempDir
  static Path dir;
  private static TestPki.Held intermediate;
  private static TestPki.Held leaf;
  private static TestPki.Held stranger;

  @BeforeAll
  static void makePki() {
    TestPki.Held root = TestPki.spec("Ocsp Root").ca().selfSigned();
    intermediate = TestPki.spec("Ocsp Intermediate").ca().issuedBy(root);
    leaf = TestPki.spec("ocsp.example").dns("ocsp.example").issuedBy(intermediate);
    stranger = TestPki.spec("Stranger").ca().selfSigned();
    TestPki.writePem(dir.resolve("inter.pem"), intermediate.cert());
    TestPki.writePem(dir.resolve("inter.key"), intermediate.key());
    TestPki.writePem(dir.resolve("stranger.pem"), stranger.cert());
    TestPki.writePem(dir.resolve("stranger.key"), stranger.key());
    TestPki.writePem(dir.resolve("leaf.pem"), leaf.cert());
  }

  private static byte[] response(String status, String signer) throws Exception {
    String serial = leaf.cert().getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
    serial = serial.length() % 2 == 1 ? "0" + serial : serial;
    DateTimeFormatter asn1 = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")
        .withZone(ZoneOffset.UTC);
    String revoked = status.equals("R") ? asn1.format(Instant.now().minusSeconds(60)) : "";
    Files.writeString(dir.resolve("index.txt"), status + "\t"
        + asn1.format(leaf.cert().getNotAfter().toInstant()) + "\t" + revoked + "\t" + serial
        + "\tunknown\t/CN=ocsp.example\n");
    run("openssl", "ocsp", "-issuer", "inter.pem", "-cert", "leaf.pem", "-no_nonce",
        "-reqout", "req.der");
    run("openssl", "ocsp", "-index", "index.txt", "-rsigner", signer + ".pem", "-rkey",
        signer + ".key", "-CA", "inter.pem", "-reqin", "req.der", "-respout", "resp.der",
        "-ndays", "1");
    return Files.readAllBytes(dir.resolve("resp.der"));
  }

  private static OcspStatus statusOf(byte[] staple) {
    return OcspStaple.statusOf(Optional.of(staple), List.of(leaf.cert(), intermediate.cert()));
  }

  @Test
  void revokedSignedByTheIssuerIsRevoked() throws Exception {
    assertEquals(OcspStatus.REVOKED, statusOf(response("R", "inter")));
  }

  @Test
  void validSignedByTheIssuerIsGood() throws Exception {
    assertEquals(OcspStatus.GOOD, statusOf(response("V", "inter")));
  }

  @Test
  void aResponseSignedByAStrangerIsUnknown() throws Exception {
    assertEquals(OcspStatus.UNKNOWN, statusOf(response("R", "stranger")));
  }

  @Test
  void garbageIsUnknownAndNothingIsNone() {
    assertEquals(OcspStatus.UNKNOWN, statusOf(new byte[] {0x30, 0x03, 0x0a, 0x01, 0x00}));
    assertEquals(OcspStatus.NONE, OcspStaple.statusOf(Optional.empty(), List.of(leaf.cert())));
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), String.join(" ", command) + ":\n" + out);
  }
}
