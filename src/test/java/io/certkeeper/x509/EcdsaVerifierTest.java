package io.certkeeper.x509;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class EcdsaVerifierTest {
  private static final byte[] DATA = "to be signed".getBytes(StandardCharsets.US_ASCII);

  private static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  private static byte[] sign(String algorithm, KeyPair key, byte[] data) throws Exception {
    Signature s = Signature.getInstance(algorithm);
    s.initSign(key.getPrivate());
    s.update(data);
    return s.sign();
  }

  @ParameterizedTest
  @CsvSource({
      "secp256r1, SHA256withECDSA", "secp384r1, SHA384withECDSA", "secp521r1, SHA512withECDSA",
      "secp256r1, SHA384withECDSA", "secp256r1, SHA1withECDSA"})
  void verifiesWhatTheJdkSigned(String curve, String algorithm) throws Exception {
    KeyPair key = ec(curve);
    byte[] signature = sign(algorithm, key, DATA);
    assertEquals(Optional.of(true), EcdsaVerifier.verify(algorithm, key.getPublic(), DATA, signature));
  }

  @Test
  void refusesOtherDataAnotherKeyAndAnotherDigest() throws Exception {
    KeyPair key = ec("secp256r1");
    byte[] signature = sign("SHA256withECDSA", key, DATA);
    assertEquals(Optional.of(false), EcdsaVerifier.verify("SHA256withECDSA", key.getPublic(),
        "to be signed!".getBytes(StandardCharsets.US_ASCII), signature));
    assertEquals(Optional.of(false), EcdsaVerifier.verify("SHA256withECDSA", ec("secp256r1").getPublic(), DATA,
        signature));
    assertEquals(Optional.of(false), EcdsaVerifier.verify("SHA384withECDSA", key.getPublic(), DATA, signature));
  }

  @Test
  void aSignatureThatIsNotStrictDerDoesNotVerify() throws Exception {
    KeyPair key = ec("secp256r1");
    byte[] signature = sign("SHA256withECDSA", key, DATA);
    assertEquals(Optional.of(false), EcdsaVerifier.verify("SHA256withECDSA", key.getPublic(), DATA,
        new byte[] {1, 2, 3}));
    byte[] trailing = java.util.Arrays.copyOf(signature, signature.length + 1);
    assertEquals(Optional.of(false), EcdsaVerifier.verify("SHA256withECDSA", key.getPublic(), DATA, trailing));
  }

  @Test
  void leavesOtherAlgorithmsAndKeysToTheCaller() throws Exception {
    KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    assertEquals(Optional.empty(), EcdsaVerifier.verify("Ed25519", ed.getPublic(), DATA, new byte[64]));
    assertEquals(Optional.empty(), EcdsaVerifier.verify("SHA256withECDSA", ed.getPublic(), DATA, new byte[64]));
    KeyPair rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair();
    assertEquals(Optional.empty(), EcdsaVerifier.verify("SHA256withRSA", rsa.getPublic(), DATA, new byte[256]));
  }
}
