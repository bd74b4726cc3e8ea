package io.certkeeper.x509;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chains made by the real {@code openssl} command line, the way people make them, judged by the
 * validator: a SHA-1 intermediate, an RSA-1024 leaf, a client certificate served as a server
 * certificate, and a leaf whose name is only in the common name.
 */
class OpensslChainTest {
  private static final String HOST = "svc.example.test";
  private static final String LEAF_EXTENSIONS = String.join("\n",
      "basicConstraints = critical, CA:FALSE",
      "keyUsage = critical, digitalSignature, keyEncipherment",
      "subjectKeyIdentifier = hash",
      "authorityKeyIdentifier = keyid");
  private static final String CA_EXTENSIONS = String.join("\n",
      "basicConstraints = critical, CA:TRUE",
      "keyUsage = critical, keyCertSign, cRLSign",
      "subjectKeyIdentifier = hash",
      "authorityKeyIdentifier = keyid");

  @TempDir
  static Path dir;

  private static Path rootKey;
  private static Path rootCert;
  private static Path intermediateKey;
  private static Path intermediateCert;

  @BeforeAll
  static void makeRootAndIntermediate() throws Exception {
    Assumptions.assumeTrue(opensslAvailable(), "the openssl command is not installed");
    rootKey = dir.resolve("root.key");
    rootCert = dir.resolve("root.pem");
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", rootKey.toString(),
        "-out", rootCert.toString(), "-subj", "/CN=OpenSSL Test Root", "-days", "30",
        "-sha256", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    intermediateKey = dir.resolve("int.key");
    intermediateCert = dir.resolve("int.pem");
    issue("int", "/CN=OpenSSL Test Intermediate", "rsa:2048", CA_EXTENSIONS, rootCert, rootKey,
        "-sha256");
  }

  @Test
  void opensslChainWithSanAndServerAuthIsValid() throws Exception {
    Path leaf = issue("good", "/CN=" + HOST, "ec", leafExtensions("serverAuth", true),
        intermediateCert, intermediateKey, "-sha256");

    ValidationResult result = validate(leaf, intermediateCert);

    assertTrue(result.valid(), result.message());
    assertEquals(3, result.path().size());
  }

  @Test
  void sha1SignedIntermediateIsWeakSignature() throws Exception {
    Path sha1Intermediate = issue("sha1int", "/CN=OpenSSL SHA-1 Intermediate", "rsa:2048",
        CA_EXTENSIONS, rootCert, rootKey, "-sha1");
    Path leaf = issue("undersha1", "/CN=" + HOST, "ec", leafExtensions("serverAuth", true),
        sha1Intermediate, dir.resolve("sha1int.key"), "-sha256");

    assertEquals(Set.of(Problem.WEAK_SIGNATURE), validate(leaf, sha1Intermediate).problems());
  }

  @Test
  void rsa1024LeafIsWeakKey() throws Exception {
    Path leaf = issue("rsa1024", "/CN=" + HOST, "rsa:1024", leafExtensions("serverAuth", true),
        intermediateCert, intermediateKey, "-sha256");

    assertEquals(Set.of(Problem.WEAK_KEY), validate(leaf, intermediateCert).problems());
  }

  @Test
  void clientAuthOnlyLeafIsWrongEku() throws Exception {
    Path leaf = issue("client", "/CN=" + HOST, "ec", leafExtensions("clientAuth", true),
        intermediateCert, intermediateKey, "-sha256");

    assertEquals(Set.of(Problem.WRONG_EKU), validate(leaf, intermediateCert).problems());
  }

  @Test
  void nameOnlyInCommonNameIsHostnameMismatch() throws Exception {
    Path leaf = issue("cnonly", "/CN=" + HOST, "ec", leafExtensions("serverAuth", false),
        intermediateCert, intermediateKey, "-sha256");

    assertEquals(Set.of(Problem.HOSTNAME_MISMATCH), validate(leaf, intermediateCert).problems());
  }

  private static String leafExtensions(String eku, boolean withSan) {
    return LEAF_EXTENSIONS + "\nextendedKeyUsage = " + eku
        + (withSan ? "\nsubjectAltName = DNS:" + HOST : "");
  }

  private static ValidationResult validate(Path leaf, Path intermediate) throws Exception {
    X509Certificate leafCert = read(leaf).get(0);
    return ChainValidator.strict().validate(ValidationRequest.builder(leafCert,
            TrustAnchors.of(read(rootCert)), Instant.now())
        .untrusted(read(intermediate)).peerName(PeerName.parse(HOST)).build());
  }

  private static List<X509Certificate> read(Path pem) throws Exception {
    return TestPem.certificates(Files.readString(pem, StandardCharsets.US_ASCII));
  }

  /** Makes a key and CSR, then signs it with {@code caCert}; returns the certificate path. */
  private static Path issue(String name, String subject, String keySpec, String extensions,
      Path caCert, Path caKey, String digest) throws Exception {
    Path key = dir.resolve(name + ".key");
    Path csr = dir.resolve(name + ".csr");
    Path cert = dir.resolve(name + ".pem");
    Path ext = dir.resolve(name + ".ext");
    Files.writeString(ext, "[v3]\n" + extensions + "\n");
    List<String> request = new ArrayList<>(List.of("req", "-new", "-nodes", "-keyout",
        key.toString(), "-out", csr.toString(), "-subj", subject));
    if (keySpec.equals("ec")) {
      request.addAll(List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"));
    } else {
      request.addAll(List.of("-newkey", keySpec));
    }
    openssl(request.toArray(new String[0]));
    openssl("x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey",
        caKey.toString(), "-CAcreateserial", "-out", cert.toString(), "-days", "10", digest,
        "-extfile", ext.toString(), "-extensions", "v3");
    return cert;
  }

  private static boolean opensslAvailable() {
    try {
      return new ProcessBuilder("openssl", "version").redirectErrorStream(true).start()
          .waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static void openssl(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("openssl " + String.join(" ", args) + " failed:\n" + output);
    }
  }
}
