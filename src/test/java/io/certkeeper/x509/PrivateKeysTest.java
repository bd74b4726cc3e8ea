package io.certkeeper.x509;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.ExternalTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PrivateKeysTest {
  private static final char[] PASS = "correct horse battery staple".toCharArray();

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(value = KeyType.class, names = {"EC_P256", "EC_P384", "RSA_2048", "ED25519"})
  void anEncryptedKeyDecryptsToTheSameKeyAndOpensslReadsIt(KeyType type) throws Exception {
    KeyPair kp = KeyPairs.generate(type);
    String pem = PrivateKeys.toEncryptedPem(kp.getPrivate(), PASS);
    assertTrue(pem.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"), pem);
    PrivateKey back = PrivateKeys.decrypt(pem, PASS);
    assertTrue(java.util.Arrays.equals(PrivateKeys.toPkcs8Pem(kp.getPrivate()).getBytes(), PrivateKeys.toPkcs8Pem(back).getBytes()));
    assertEquals(type, KeyType.of(kp.getPublic()).orElseThrow());

    Files.writeString(dir.resolve("k.pem"), pem);
    Files.writeString(dir.resolve("pass"), new String(PASS));
    ExternalTool.Result r = ExternalTool.run(dir, "openssl", "pkey", "-in", "k.pem", "-passin", "file:pass", "-noout",
        "-text");
    assertTrue(r.ok(), r.output());
    ExternalTool.Result alg = ExternalTool.run(dir, "openssl", "asn1parse", "-in", "k.pem");
    assertTrue(alg.output().contains("aes-256-cbc") && alg.output().contains("hmacWithSHA256"), alg.output());
  }

  @Test
  void aWrongPassphraseIsUnrecoverable() {
    String pem = PrivateKeys.toEncryptedPem(KeyPairs.generate(KeyType.EC_P256).getPrivate(), PASS);
    assertThrows(UnrecoverableKeyException.class, () -> PrivateKeys.decrypt(pem, "wrong passphrase!".toCharArray()));
  }

  @Test
  void plainKeysArePkcs8ThatOpensslReads() throws Exception {
    KeyPair kp = KeyPairs.generate(KeyType.EC_P256);
    String pem = PrivateKeys.toPkcs8Pem(kp.getPrivate());
    assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----"), pem);
    assertEquals(pem, PrivateKeys.toPkcs8Pem(PrivateKeys.parse(pem)));
    Files.writeString(dir.resolve("k.pem"), pem);
    assertTrue(ExternalTool.run(dir, "openssl", "pkey", "-in", "k.pem", "-noout").ok());
  }

  @Test
  void garbageIsNotAKey() {
    assertThrows(IllegalArgumentException.class, () -> PrivateKeys.decrypt("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n", PASS));
    assertThrows(IllegalArgumentException.class, () -> PrivateKeys.parse("hello"));
  }
}
