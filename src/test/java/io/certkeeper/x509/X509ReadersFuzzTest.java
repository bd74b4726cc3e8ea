package io.certkeeper.x509;

import static io.certkeeper.fuzz.FuzzContract.check;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.certkeeper.fuzz.FuzzPki;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.UnrecoverableKeyException;
import java.security.cert.CRL;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;

/**
 * Fuzzes the x509 readers of outside input against {@link io.certkeeper.fuzz.FuzzContract}.
 * Without {@code JAZZER_FUZZ} each method replays its seeds from
 * {@code src/test/resources/io/certkeeper/x509/X509ReadersFuzzTestInputs/<method>/} (and the files
 * directly in {@code X509ReadersFuzzTestInputs/}, shared by all methods); {@code scripts/fuzz}
 * fuzzes one method at a time.
 */
@Tag("security")
@Tag("fuzz")
class X509ReadersFuzzTest {
  private static final TrustAnchors ROOT = TrustAnchors.of(List.of(FuzzPki.root()));

  /** PEM bundles (and single DER certificates) read from a file, as the CLI and the daemon do. */
  @FuzzTest
  void pemCertificates(byte[] input) throws IOException {
    Path file = Files.createTempFile("certkeeper-fuzz", ".pem");
    try {
      Files.write(file, input);
      Optional<List<X509Certificate>> certs =
          check("Pem.readCertificates", () -> Pem.readCertificates(file), IOException.class);
      certs.ifPresent(list -> list.forEach(X509ReadersFuzzTest::takeApart));
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * One DER certificate, then everything that reads it: its facts, its parse for validation, and
   * validation with it as the leaf and as a trust anchor.
   */
  @FuzzTest
  void derCertificate(byte[] input) {
    check("Pem.decodeDer", () -> Pem.decodeDer(input), IllegalArgumentException.class)
        .ifPresent(X509ReadersFuzzTest::takeApart);
  }

  /** PKCS#10 requests, PEM or DER, as {@code certkeeper sign} reads them. */
  @FuzzTest
  void csr(byte[] input) {
    check("Csr.parse", () -> Csr.parse(input), IllegalArgumentException.class);
  }

  /**
   * CRLs as {@code certkeeper verify --crl} and the revocation fetcher read them ({@link Crls},
   * which checks the encoding before the JDK's factory sees it), then checked against the test
   * chain by the strict validator, which reads their signature, number, critical extensions and
   * entries.
   */
  @FuzzTest
  void crl(byte[] input) {
    Optional<List<X509CRL>> crls = check("Crls.parse", () -> Crls.parse(input), IllegalArgumentException.class);
    crls.ifPresent(list -> {
      ValidationRequest request = ValidationRequest.builder(FuzzPki.leaf(), ROOT, FuzzPki.TIME)
          .crls(list)
          .build();
      assertNotNull(check("ChainValidator.validate with CRLs",
          () -> ChainValidator.strict().validate(request)).orElse(null));
    });
  }

  /** Private keys, plain and encrypted, as the renewer and the local CA read them. */
  @FuzzTest
  void privateKey(byte[] input) {
    String pem = new String(input, StandardCharsets.ISO_8859_1);
    check("PrivateKeys.parse", () -> PrivateKeys.parse(pem), IllegalArgumentException.class);
    check("PrivateKeys.decrypt", () -> PrivateKeys.decrypt(pem, FuzzPki.PASSPHRASE.toCharArray()),
        IllegalArgumentException.class, UnrecoverableKeyException.class);
  }

  private static void takeApart(X509Certificate cert) {
    check("CertificateInfo.of", () -> CertificateInfo.of(cert));
    check("ParsedCertificate.of", () -> ParsedCertificate.of(cert), IllegalArgumentException.class);
    ValidationRequest asLeaf = ValidationRequest.builder(cert, ROOT, FuzzPki.TIME).build();
    assertNotNull(check("ChainValidator.validate as leaf",
        () -> ChainValidator.strict().validate(asLeaf)).orElse(null));
    check("TrustAnchors.of", () -> TrustAnchors.of(List.of(cert)), IllegalArgumentException.class)
        .ifPresent(anchors -> {
          ValidationRequest asAnchor = ValidationRequest.builder(FuzzPki.leaf(), anchors, FuzzPki.TIME).build();
          assertNotNull(check("ChainValidator.validate as anchor",
              () -> ChainValidator.strict().validate(asAnchor)).orElse(null));
        });
  }
}
