package io.certkeeper.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.OpenSsl;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Random;
import java.time.Clock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A listener that refuses its key or certificate file says which file and why, in plain words. */
class KeyFileErrorsTest {
  @TempDir Path dir;
  Path cert;
  Path key;

  @BeforeEach
  void certificate() throws Exception {
    OpenSsl.selfSigned(dir, "c", "localhost", 30);
    cert = dir.resolve("c.pem");
    key = dir.resolve("c.key");
  }

  private String refusal(Path certFile, Path keyFile) {
    IOException e = assertThrows(IOException.class,
        () -> ReloadableSslContext.load(new PemKeySource(certFile, keyFile), TlsOptions.defaults(), Clock.systemUTC()));
    assertFalse(e.getMessage().contains("Exception") || e.getMessage().contains("java."), e.getMessage());
    return e.getMessage();
  }

  @Test
  void aGarbageKeyFileIsNamedWithTheReason() throws Exception {
    Path garbage = dir.resolve("garbage.key");
    byte[] noise = new byte[300];
    new Random(7).nextBytes(noise);
    Files.writeString(garbage, Base64.getMimeEncoder().encodeToString(noise));
    assertEquals(garbage + ": no unencrypted private key found (expected a PEM block 'PRIVATE KEY', 'RSA PRIVATE KEY'"
        + " or 'EC PRIVATE KEY')", refusal(cert, garbage));
  }

  @Test
  void aKeyFileWithABrokenPemBlockIsNamedWithTheReason() throws Exception {
    Path broken = dir.resolve("broken.key");
    Files.writeString(broken, "-----BEGIN PRIVATE KEY-----\nAAAAnotakey\n-----END PRIVATE KEY-----\n");
    // not "malformed PEM: unable to decode base64 string: String index out of range: 11"
    assertEquals(broken + ": not a readable private key (malformed PEM: the text between the BEGIN and END lines"
        + " does not decode)", refusal(cert, broken));
  }

  @Test
  void aMissingFileIsNamed() {
    Path missing = dir.resolve("missing.key");
    assertEquals(missing + ": no such file or directory", refusal(cert, missing));
    assertEquals(missing + ": no such file or directory", refusal(missing, key));
  }

  @Test
  void aCertificateFileWithoutACertificateIsNamed() throws Exception {
    Path notCert = dir.resolve("not-a-cert.pem");
    Files.writeString(notCert, "hello\n");
    String m = refusal(notCert, key);
    assertTrue(m.startsWith(notCert + ": "), m);
  }

  @Test
  void aKeyOfAnotherCertificateNamesBothFiles() throws Exception {
    Path other = Files.createDirectories(dir.resolve("other"));
    OpenSsl.selfSigned(other, "o", "localhost", 30);
    String m = refusal(cert, other.resolve("o.key"));
    assertEquals(other.resolve("o.key") + ": the private key does not belong to the certificate CN=localhost in " + cert, m);
  }

  @Test
  void aReloadRefusedForAGarbageKeyNamesTheFile() throws Exception {
    Path liveKey = dir.resolve("live.key");
    Files.copy(key, liveKey);
    ReloadableSslContext tls = ReloadableSslContext.load(new PemKeySource(cert, liveKey), TlsOptions.defaults(), Clock.systemUTC());
    Files.write(liveKey, new byte[] {1, 2, 3});
    ReloadableSslContext.Reload r = tls.reload();
    assertTrue(r.failed(), r.toString());
    assertTrue(r.error().startsWith(liveKey + ": "), r.error());
  }

  @Test
  void aPortInUseIsNamedAsHostAndPort() throws Exception {
    ReloadableSslContext tls = ReloadableSslContext.load(new PemKeySource(cert, key), TlsOptions.defaults(), Clock.systemUTC());
    try (TlsListener first = TlsListener.start("a", new InetSocketAddress("127.0.0.1", 0), tls, Roles.echo(), 1, Clock.systemUTC())) {
      int port = first.address().getPort();
      IOException e = assertThrows(IOException.class,
          () -> TlsListener.start("b", new InetSocketAddress("127.0.0.1", port), tls, Roles.echo(), 1, Clock.systemUTC()).close());
      // not "cannot listen on /127.0.0.1:PORT: bind(..) failed: Address already in use"
      assertEquals("listener b: cannot listen on 127.0.0.1:" + port
          + ": address already in use (another process listens there; change bind)", e.getMessage());
    }
  }
}
