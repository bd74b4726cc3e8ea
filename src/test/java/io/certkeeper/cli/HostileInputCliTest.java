package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.certkeeper.testing.DeepAsn1;
import io.certkeeper.testing.ExternalTool;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs that used to take the CLI down: device files and FIFOs that never end (they report a
 * size of 0, then read forever), and ASN.1 nested deep enough to overflow a recursive parser.
 * Each must end quickly, with exit code 1 and one line naming the input.
 */
@Tag("security")
class HostileInputCliTest {
  /** Far beyond what a bounded read needs; a read of /dev/zero to the heap's end took ~50 s. */
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  /** What one bounded read may allocate, whatever the heap size: the largest bound is 16 MB. */
  private static final long MAX_ALLOCATED = 256L * 1024 * 1024;
  private static final Path DEV_ZERO = Path.of("/dev/zero");

  @TempDir Path dir;

  /** Runs the CLI on this thread under the deadline, checking what the thread allocated. */
  private static CliRunner.Run run(String... args) {
    return assertTimeoutPreemptively(DEADLINE, () -> {
      com.sun.management.ThreadMXBean threads =
          (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long before = threads.getCurrentThreadAllocatedBytes();
      CliRunner.Run r = CliRunner.run(args);
      long allocated = threads.getCurrentThreadAllocatedBytes() - before;
      assertTrue(allocated < MAX_ALLOCATED, "allocated " + allocated + " bytes");
      return r;
    });
  }

  private static void assertOneLineError(CliRunner.Run r, String... fragments) {
    assertEquals(1, r.exitCode(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    for (String f : fragments) {
      assertTrue(r.err().contains(f), r.err());
    }
  }

  @Test
  void verifyOfDevZeroIsRefusedAsNotARegularFile() {
    assumeTrue(Files.exists(DEV_ZERO));
    assertOneLineError(run("verify", DEV_ZERO.toString()), "/dev/zero: not a regular file");
  }

  @Test
  void signOfDevZeroIsRefusedBeforeAnyCaIsLoaded() {
    assumeTrue(Files.exists(DEV_ZERO));
    assertOneLineError(run("sign", "--csr", DEV_ZERO.toString(), "--out", dir.resolve("o.pem").toString()),
        "/dev/zero: not a regular file");
  }

  @Test
  void configOfDevZeroIsRefused() {
    assumeTrue(Files.exists(DEV_ZERO));
    CliRunner.Run r = run("--config", DEV_ZERO.toString(), "config", "check");
    assertTrue(r.exitCode() != 0, r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("/dev/zero: not a regular file"), r.err());
  }

  @Test
  void aFifoWithoutWriterIsRefusedWithoutBlocking() throws Exception {
    Path fifo = dir.resolve("certs.pem");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assumeTrue(mkfifo.waitFor() == 0, "mkfifo is available");
    assertOneLineError(run("verify", fifo.toString()), fifo + ": not a regular file");
  }

  @Test
  void aCertificateNestedDeeplyIsRefusedByVerify() throws Exception {
    Path pem = dir.resolve("deep.pem");
    Files.writeString(pem, DeepAsn1.pem("CERTIFICATE", DeepAsn1.indefinite(100_000)));
    assertOneLineError(run("verify", pem.toString()), pem.toString(), "nested deeper than");
  }

  @Test
  void aCrlNestedDeeplyIsRefusedByVerify() throws Exception {
    var made = ExternalTool.run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
        "ec_paramgen_curve:P-256", "-nodes", "-keyout", "k.pem", "-out", "c.pem", "-subj", "/CN=x",
        "-days", "1");
    assertTrue(made.ok(), made.output());
    Path pem = dir.resolve("c.pem");
    Path crl = dir.resolve("deep.crl");
    Files.write(crl, DeepAsn1.indefinite(100_000));
    CliRunner.Run r = run("verify", "--crl", crl.toString(), pem.toString());
    assertOneLineError(r, crl.toString(), "nested deeper than");
  }

  @Test
  void aRequestNestedDeeplyIsRefusedBySignInOneLine() throws Exception {
    Path pem = dir.resolve("deep.csr");
    Files.writeString(pem, DeepAsn1.pem("CERTIFICATE REQUEST", DeepAsn1.definite(10_000)));
    Path der = dir.resolve("deep.der");
    Files.write(der, DeepAsn1.definite(10_000));
    for (Path csr : new Path[] {pem, der}) {
      CliRunner.Run r = run("sign", "--csr", csr.toString(), "--out", dir.resolve("o.pem").toString());
      assertOneLineError(r, csr.toString(), "nested deeper than");
    }
  }
}
