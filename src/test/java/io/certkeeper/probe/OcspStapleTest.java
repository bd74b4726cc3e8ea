package io.certkeeper.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OCSP responses made by {@code openssl ocsp}, read offline: signed by the issuer or by a
 * delegated responder (RFC 6960 4.2.2.2), for every pairing of RSA and EC keys between issuer and
 * responder, and the responses that must not be trusted.
 */
class OcspStapleTest {
  @TempDir
  static Path dir;
  private static TestPki.Held root;
  private static TestPki.Held stranger;
  private static final Instant NOW = Instant.now();

  /** An issuer ("rsa" or "ec"), its leaf, and delegated responders of both key types, written under dir. */
  @BeforeAll
  static void makePki() {
    root = TestPki.spec("Ocsp Root").ca().selfSigned();
    stranger = TestPki.spec("Stranger").ca().selfSigned();
    write("stranger", stranger);
    for (String type : List.of("rsa", "ec")) {
      TestPki.Held issuer = TestPki.spec("Ocsp Issuer " + type).keys(keys(type)).ca().issuedBy(root);
      write(type + "-issuer", issuer);
      write(type + "-leaf", TestPki.spec("ocsp.example").dns("ocsp.example").issuedBy(issuer));
      for (String responder : List.of("rsa", "ec")) {
        write(type + "-" + responder + "-responder", TestPki.spec("Responder " + responder + " of " + type)
            .keys(keys(responder)).eku(KeyPurposeId.id_kp_OCSPSigning).issuedBy(issuer));
      }
      write(type + "-noeku-responder", TestPki.spec("Responder without EKU").keys(keys(type))
          .eku(KeyPurposeId.id_kp_serverAuth).issuedBy(issuer));
      write(type + "-stranger-responder", TestPki.spec("Responder of a stranger").keys(keys(type))
          .eku(KeyPurposeId.id_kp_OCSPSigning).issuedBy(stranger));
      // Same name as the issuer, another key: a server may serve it first in the chain.
      write(type + "-decoy", TestPki.spec("Ocsp Issuer " + type).keys(keys(type)).ca().issuedBy(stranger));
    }
  }

  private static KeyPair keys(String type) {
    return type.equals("rsa") ? TestPki.rsa(2048) : TestPki.ec();
  }

  private static final java.util.Map<String, TestPki.Held> HELD = new java.util.HashMap<>();

  private static void write(String name, TestPki.Held held) {
    HELD.put(name, held);
    TestPki.writePem(dir.resolve(name + ".pem"), held.cert());
    TestPki.writeKey(dir.resolve(name + ".key"), held.key());
  }

  /** A response from {@code signer} about the {@code issuer} type's leaf: V (good) or R (revoked). */
  private static byte[] response(String issuer, String status, String signer, String... extra) throws Exception {
    TestPki.Held leaf = HELD.get(issuer + "-leaf");
    String serial = leaf.cert().getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
    serial = serial.length() % 2 == 1 ? "0" + serial : serial;
    DateTimeFormatter asn1 = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
    String revoked = status.equals("R") ? asn1.format(NOW.minusSeconds(60)) : "";
    Files.writeString(dir.resolve("index.txt"), status + "\t"
        + asn1.format(leaf.cert().getNotAfter().toInstant()) + "\t" + revoked + "\t" + serial
        + "\tunknown\t/CN=ocsp.example\n");
    // A digest option (-sha256) applies to the -cert options after it.
    List<String> request = new ArrayList<>(List.of("openssl", "ocsp", "-issuer", issuer + "-issuer.pem"));
    request.addAll(List.of(extra));
    request.addAll(List.of("-cert", issuer + "-leaf.pem", "-no_nonce", "-reqout", "req.der"));
    run(request.toArray(new String[0]));
    run("openssl", "ocsp", "-index", "index.txt", "-rsigner", signer + ".pem", "-rkey", signer + ".key",
        "-CA", issuer + "-issuer.pem", "-reqin", "req.der", "-respout", "resp.der", "-ndays", "1");
    return Files.readAllBytes(dir.resolve("resp.der"));
  }

  private static OcspStaple.Reading read(String issuer, byte[] staple, Instant at) {
    return OcspStaple.read(Optional.of(staple),
        List.of(HELD.get(issuer + "-leaf").cert(), HELD.get(issuer + "-issuer").cert()), at);
  }

  private static OcspStatus statusOf(String issuer, byte[] staple) {
    return read(issuer, staple, NOW).status();
  }

  @Test
  void signedByTheIssuerGoodIsGoodAndRevokedIsRevoked() throws Exception {
    for (String issuer : List.of("rsa", "ec")) {
      assertEquals(OcspStatus.REVOKED, statusOf(issuer, response(issuer, "R", issuer + "-issuer")), issuer);
      assertEquals(OcspStatus.GOOD, statusOf(issuer, response(issuer, "V", issuer + "-issuer")), issuer);
    }
  }

  @Test
  void aDelegatedResponderOfEitherKeyTypeIsTrustedUnderAnIssuerOfEitherKeyType() throws Exception {
    for (String issuer : List.of("rsa", "ec")) {
      for (String responder : List.of("rsa", "ec")) {
        String signer = issuer + "-" + responder + "-responder";
        assertEquals(OcspStatus.REVOKED, statusOf(issuer, response(issuer, "R", signer)), signer);
        assertEquals(OcspStatus.GOOD, statusOf(issuer, response(issuer, "V", signer)), signer);
      }
    }
  }

  @Test
  void aCertIdHashedWithSha256IsMatched() throws Exception {
    assertEquals(OcspStatus.REVOKED, statusOf("ec", response("ec", "R", "ec-rsa-responder", "-sha256")));
  }

  @Test
  void aResponderWithoutOcspSigningIsInvalid() throws Exception {
    OcspStaple.Reading r = read("rsa", response("rsa", "R", "rsa-noeku-responder"), NOW);
    assertEquals(OcspStatus.INVALID, r.status());
    assertTrue(r.invalid().orElseThrow().contains("lacks id-kp-OCSPSigning"), r.toString());
  }

  @Test
  void aResponderTheIssuerDidNotIssueIsInvalid() throws Exception {
    OcspStaple.Reading r = read("ec", response("ec", "R", "ec-stranger-responder"), NOW);
    assertEquals(OcspStatus.INVALID, r.status());
    assertTrue(r.invalid().orElseThrow().contains("not issued by the leaf's issuer"), r.toString());
    assertEquals(OcspStatus.INVALID, statusOf("rsa", response("rsa", "R", "stranger")));
  }

  @Test
  void aResponsePastItsNextUpdateOrFromTheFutureIsInvalid() throws Exception {
    byte[] response = response("rsa", "V", "rsa-ec-responder");
    OcspStaple.Reading late = read("rsa", response, NOW.plus(Duration.ofDays(3)));
    assertEquals(OcspStatus.INVALID, late.status());
    assertTrue(late.invalid().orElseThrow().contains("out of date"), late.toString());
    OcspStaple.Reading early = read("rsa", response, NOW.minus(Duration.ofMinutes(30)));
    assertEquals(OcspStatus.INVALID, early.status());
    assertTrue(early.invalid().orElseThrow().contains("in the future"), early.toString());
  }

  @Test
  void aDecoyIssuerServedFirstCannotVouchForTheLeaf() throws Exception {
    // The response is the decoy's own, about the leaf's serial under the decoy's name and key.
    Files.copy(dir.resolve("rsa-decoy.pem"), dir.resolve("decoy-issuer.pem"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(dir.resolve("rsa-leaf.pem"), dir.resolve("decoy-leaf.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    HELD.put("decoy-leaf", HELD.get("rsa-leaf"));
    byte[] forged = response("decoy", "V", "rsa-decoy");
    OcspStaple.Reading r = OcspStaple.read(Optional.of(forged), List.of(HELD.get("rsa-leaf").cert(),
        HELD.get("rsa-decoy").cert(), HELD.get("rsa-issuer").cert()), NOW);
    assertEquals(OcspStatus.UNKNOWN, r.status(), r.toString());
  }

  @Test
  void aResponseWithoutNextUpdateIsTrustedForAWeekOnly() throws Exception {
    byte[] response = responseWithoutNextUpdate();
    assertEquals(OcspStatus.GOOD, read("ec", response, NOW.plus(Duration.ofDays(6))).status());
    OcspStaple.Reading old = read("ec", response, NOW.plus(Duration.ofDays(8)));
    assertEquals(OcspStatus.INVALID, old.status());
    assertTrue(old.invalid().orElseThrow().contains("no nextUpdate"), old.toString());
  }

  private static byte[] responseWithoutNextUpdate() throws Exception {
    response("ec", "V", "ec-issuer");
    run("openssl", "ocsp", "-index", "index.txt", "-rsigner", "ec-issuer.pem", "-rkey", "ec-issuer.key",
        "-CA", "ec-issuer.pem", "-reqin", "req.der", "-respout", "resp.der");
    return Files.readAllBytes(dir.resolve("resp.der"));
  }

  @Test
  void garbageIsUnknownAndNothingIsNone() {
    assertEquals(OcspStatus.UNKNOWN, statusOf("rsa", new byte[] {0x30, 0x03, 0x0a, 0x01, 0x00}));
    assertEquals(OcspStatus.NONE,
        OcspStaple.statusOf(Optional.empty(), List.of(HELD.get("rsa-leaf").cert()), NOW));
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), String.join(" ", command) + ":\n" + out);
  }
}
