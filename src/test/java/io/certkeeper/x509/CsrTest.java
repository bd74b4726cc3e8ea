package io.certkeeper.x509;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.ExternalTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsrTest {
  @TempDir Path dir;

  private byte[] opensslCsr(String... extra) {
    List<String> cmd = new java.util.ArrayList<>(List.of("openssl", "req", "-new", "-newkey", "ec",
        "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "key.pem", "-out", "req.der", "-outform", "DER"));
    cmd.addAll(List.of(extra));
    ExternalTool.Result r = ExternalTool.run(dir, cmd.toArray(new String[0]));
    assertTrue(r.ok(), r.output());
    try {
      return Files.readAllBytes(dir.resolve("req.der"));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void anOpensslRequestIsReadWithItsNames() {
    byte[] der = opensslCsr("-subj", "/O=Ignored/CN=app.example", "-addext",
        "subjectAltName=DNS:app.example,IP:10.0.0.5,email:ops@example.com,URI:spiffe://example.org/app");
    Csr csr = Csr.parse(der);
    assertEquals(Optional.of("app.example"), csr.commonName());
    assertEquals(List.of("dns:app.example", "ip:10.0.0.5", "email:ops@example.com", "uri:spiffe://example.org/app"),
        csr.sans());
    assertEquals(Optional.of(KeyType.EC_P256), KeyType.of(csr.publicKey()));
  }

  @Test
  void aRequestWithABrokenSignatureIsRefused() {
    byte[] der = opensslCsr("-subj", "/CN=app.example");
    der[der.length - 5] ^= 0x01; // inside the signature value
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Csr.parse(der));
    assertTrue(e.getMessage().contains("signature"), e.getMessage());
  }

  @Test
  void notARequestIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> Csr.parse("hello".getBytes()));
  }
}
