package io.certkeeper.x509;

import io.certkeeper.x509.TestCa.Issued;
import java.io.ByteArrayInputStream;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;

/**
 * How long one validation of a typical three-certificate chain (leaf, intermediate, root as
 * anchor, with a host name) takes once warm, for ECDSA P-256 and RSA-2048 chains. Not a test:
 * run {@code main} with the test classpath. Prints microseconds per validation, for the request
 * alone and for parsing the two served certificates from DER plus validating (what the prober
 * does per handshake), with and without the cache of verified signatures.
 */
public final class ValidatorBenchmark {
  private static final String HOST = "bench.example.com";
  private static final int WARMUP_MILLIS = 2_000;
  private static final int MEASURE_MILLIS = 3_000;

  private ValidatorBenchmark() {}

  public static void main(String[] args) throws Exception {
    System.out.printf(Locale.ROOT, "java %s, %d cpus%n", System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors());
    run("ECDSA P-256", TestCa.freshEcKey(), TestCa.freshEcKey(), TestCa.freshEcKey());
    run("RSA-2048", TestCa.rsaKey(2048), TestCa.rsaKey(2048), TestCa.rsaKey(2048));
  }

  private static void run(String label, KeyPair rootKey, KeyPair intermediateKey,
      KeyPair leafKey) throws Exception {
    Issued root = TestCa.root("Bench Root").key(rootKey).issue();
    Issued intermediate = TestCa.intermediate("Bench Intermediate", root).key(intermediateKey)
        .issue();
    Issued leaf = TestCa.leaf(HOST, intermediate).key(leafKey).issue();
    for (boolean cached : new boolean[] {false, true}) {
      ChainValidator validator = cached ? ChainValidator.strict()
          : ChainValidator.withoutSignatureCache();
      String mode = cached ? "cache warm" : "no signature cache";
      measure(label + ", " + mode, validator, root, intermediate, leaf);
    }
  }

  private static void measure(String label, ChainValidator validator, Issued root,
      Issued intermediate, Issued leaf) throws Exception {
    TrustAnchors anchors = TrustAnchors.of(List.of(root.cert()));
    PeerName name = PeerName.parse(HOST);
    byte[] leafDer = leaf.cert().getEncoded();
    byte[] intermediateDer = intermediate.cert().getEncoded();
    CertificateFactory factory = CertificateFactory.getInstance("X.509");

    Runnable validateOnly = () -> check(validator.validate(ValidationRequest.builder(leaf.cert(),
        anchors, TestCa.NOW).untrusted(List.of(intermediate.cert())).peerName(name).build()));
    Runnable parseAndValidate = () -> {
      try {
        X509Certificate l = (X509Certificate) factory.generateCertificate(
            new ByteArrayInputStream(leafDer));
        X509Certificate i = (X509Certificate) factory.generateCertificate(
            new ByteArrayInputStream(intermediateDer));
        check(validator.validate(ValidationRequest.builder(l, anchors, TestCa.NOW)
            .untrusted(List.of(i)).peerName(name).build()));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    time(label + ", validate", validateOnly);
    time(label + ", parse + validate", parseAndValidate);
  }

  private static void check(ValidationResult result) {
    if (!result.valid()) {
      throw new IllegalStateException(result.message());
    }
  }

  private static void time(String label, Runnable task) {
    loop(task, WARMUP_MILLIS);
    long[] counted = loop(task, MEASURE_MILLIS);
    double micros = counted[1] / 1_000.0 / counted[0];
    System.out.printf(Locale.ROOT, "%-55s %8.1f us/validation (%d runs)%n", label, micros,
        counted[0]);
  }

  private static long[] loop(Runnable task, long millis) {
    long start = System.nanoTime();
    long end = start + millis * 1_000_000L;
    long runs = 0;
    long now;
    do {
      task.run();
      runs++;
      now = System.nanoTime();
    } while (now < end);
    return new long[] {runs, now - start};
  }
}
