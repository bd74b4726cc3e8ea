package io.certkeeper.x509;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PEM bundles are read block by block through Bouncy Castle: a good file gives what the JDK's own
 * PEM reader gives; a bad block anywhere is an error naming the block and its line, never skipped.
 */
class PemTest {
  private static List<X509Certificate> chain;
  private static String leaf;
  private static String inter;
  private static String root;

  @TempDir Path dir;

  @BeforeAll
  static void chain() {
    TestCa.Issued r = TestCa.root("Pem Root").issue();
    TestCa.Issued i = TestCa.intermediate("Pem Intermediate", r).issue();
    TestCa.Issued l = TestCa.leaf("pem.example", i).issue();
    chain = List.of(l.cert(), i.cert(), r.cert());
    leaf = Pem.encode(l.cert());
    inter = Pem.encode(i.cert());
    root = Pem.encode(r.cert());
  }

  /** The 1-based line {@code block} starts on in {@code text}. */
  private static int lineOf(String text, String block) {
    int at = text.indexOf(block);
    return (int) text.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
  }

  private static String refusal(String text) {
    return assertThrows(IllegalArgumentException.class, () -> Pem.parseCertificates(text)).getMessage();
  }

  @Test
  void aGoodBundleReadsAsTheJdkReadsIt() throws Exception {
    String text = leaf + inter + root;
    assertEquals(chain, Pem.parseCertificates(text));
    assertEquals(TestPem.certificates(text), Pem.parseCertificates(text));
  }

  @Test
  void textAroundBlocksCrlfIndentationAndOtherBlockTypesAreLeftAsBefore() throws Exception {
    String key = PrivateKeys.toPkcs8Pem(TestCa.ecKey().getPrivate());
    String text = "subject=CN=pem.example\nissuer=CN=Pem Intermediate\n" + leaf.replace("\n", "\r\n")
        + "\n# the issuing CA\n" + inter.indent(4) + key + "-----BEGIN X509 CERTIFICATE-----\n"
        + root.substring(root.indexOf('\n') + 1, root.indexOf("-----END")) + "-----END X509 CERTIFICATE-----\n";
    assertEquals(chain, Pem.parseCertificates(text));
  }

  @Test
  void aSingleDerCertificateStillReads() throws Exception {
    assertEquals(List.of(chain.get(0)), Pem.parseCertificates(chain.get(0).getEncoded()));
  }

  @Test
  void aCorruptedBlockBetweenGoodOnesIsAnErrorWithItsIndexAndLine() {
    String bad = inter.replaceFirst("\n[A-Za-z0-9+/]{10}", "\n*not*base64");
    String text = "# chain\n" + leaf + bad + root;
    assertEquals("block 2 (line " + lineOf(text, bad) + "): CERTIFICATE: the text between the BEGIN and END lines"
        + " is not valid base64", refusal(text));
  }

  @Test
  void aBlockThatIsNoCertificateIsAnErrorWithItsIndexAndLine() {
    String garbage = Pem.block("CERTIFICATE", new byte[] {0x30, 0x03, 0x02, 0x01, 0x05});
    String text = leaf + inter + garbage + root;
    String m = refusal(text);
    assertTrue(m.startsWith("block 3 (line " + lineOf(text, garbage) + "): not a valid X.509 certificate: "), m);
  }

  @Test
  void aMissingEndLineIsAnErrorNamingTheBlockAndTheNextBegin() {
    String cut = inter.substring(0, inter.indexOf("-----END"));
    String text = leaf + cut + root;
    assertEquals("block 2 (line " + lineOf(text, cut) + "): no -----END CERTIFICATE----- line before the next BEGIN"
        + " (line " + lineOf(text, root) + ")", refusal(text));
  }

  @Test
  void aMissingEndLineAtTheEndIsAnError() {
    String cut = root.substring(0, root.indexOf("-----END"));
    String text = leaf + inter + cut;
    assertEquals("block 3 (line " + lineOf(text, cut) + "): no -----END CERTIFICATE----- line before the end of the"
        + " text", refusal(text));
  }

  @Test
  void anEndLineOfAnotherTypeIsAnError() {
    String mixed = inter.replace("-----END CERTIFICATE-----", "-----END X509 CRL-----");
    String text = leaf + mixed + root;
    int end = lineOf(text, "-----END X509 CRL-----");
    assertEquals("block 2 (line " + lineOf(text, mixed) + "): CERTIFICATE ends with another END line (line " + end
        + "): -----END X509 CRL-----", refusal(text));
  }

  @Test
  void aMalformedBeginLineIsAnErrorRatherThanTheEndOfTheFile() {
    String broken = inter.replace("-----BEGIN CERTIFICATE-----", "-----BEGIN CERTIFICATE----");
    String text = leaf + broken + root;
    assertEquals("block 2 (line " + lineOf(text, broken) + "): not a BEGIN line of the form -----BEGIN TYPE-----:"
        + " -----BEGIN CERTIFICATE----", refusal(text));
  }

  @Test
  void headersInACertificateBlockAreAnError() {
    String headed = inter.replace("-----BEGIN CERTIFICATE-----\n", "-----BEGIN CERTIFICATE-----\nProc-Type: 4,X\n\n");
    String text = leaf + headed;
    assertEquals("block 2 (line " + lineOf(text, headed) + "): CERTIFICATE: unexpected header lines (Name: value)",
        refusal(text));
  }

  @Test
  void aFileErrorNamesTheFileThenTheBlock() throws Exception {
    Path f = dir.resolve("chain.pem");
    String bad = inter.replaceFirst("\n[A-Za-z0-9+/]{10}", "\n*not*base64");
    Files.writeString(f, leaf + bad, StandardCharsets.US_ASCII);
    IOException e = assertThrows(IOException.class, () -> Pem.readCertificates(f));
    assertEquals(f + ": block 2 (line " + lineOf(leaf + bad, bad) + "): CERTIFICATE: the text between the BEGIN and"
        + " END lines is not valid base64", e.getMessage());
  }

  /** The fuzz seeds that hide one bad block among good ones: each is refused at that block, none read in part. */
  @ParameterizedTest
  @ValueSource(strings = {"bad-base64-block-among-good.pem", "corrupt-der-block-among-good.pem",
      "foreign-chars-block-among-good.pem", "unterminated-block.pem", "truncated-block.pem",
      "garbled-begin-line-among-good.pem", "mismatched-end-line-among-good.pem"})
  void aSeedWithABadBlockIsRefusedNamingTheBlock(String seed) throws Exception {
    byte[] bytes;
    try (var in = PemTest.class.getResourceAsStream("X509ReadersFuzzTestInputs/pemCertificates/" + seed)) {
      bytes = in.readAllBytes();
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pem.parseCertificates(bytes));
    assertTrue(e.getMessage().matches("block [0-9]+ \\(line [0-9]+\\): .+"), e.getMessage());
  }

  @Test
  void textWithoutACertificateBlockHasNoCertificate() {
    assertEquals("no PEM certificate found", refusal(PrivateKeys.toPkcs8Pem(TestCa.ecKey().getPrivate())));
    assertEquals("no PEM certificate found", refusal("hello\n"));
  }

  @Test
  void crlBundlesNameTheirBadBlockToo() throws Exception {
    TestCa.Issued r = TestCa.root("Crl Root").issue();
    X509CRL crl = TestCa.crl(r, chain.get(0));
    String good = Pem.block("X509 CRL", crl.getEncoded());
    assertEquals(List.of(crl, crl), Crls.parse((good + good).getBytes(StandardCharsets.US_ASCII)));
    String bad = good.replaceFirst("\n[A-Za-z0-9+/]{10}", "\n*not*base64");
    String text = good + bad + good;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Crls.parse(text.getBytes(StandardCharsets.US_ASCII)));
    assertEquals("block 2 (line " + lineOf(text, bad) + "): X509 CRL: the text between the BEGIN and END lines"
        + " is not valid base64", e.getMessage());
  }
}
