package io.certkeeper.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped unit, {@code systemd/certkeeper.service}, judged by systemd's own tools. Skipped with
 * a message where {@code systemd-analyze} is not installed.
 */
class SystemdUnitTest {
  static final Path UNIT = Path.of("systemd/certkeeper.service");
  /** The bar: "exposure of 2.5 or less" (0 is a fully locked down service, 10 an unprotected one). */
  static final double MAX_EXPOSURE = 2.5;

  private static final Pattern EXPOSURE = Pattern.compile("Overall exposure level for \\S+: (\\d+\\.\\d+)");

  @TempDir Path dir;

  @BeforeAll
  static void systemdAnalyzeIsInstalled() {
    boolean present = List.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")).stream()
        .anyMatch(p -> Files.isExecutable(Path.of(p, "systemd-analyze")));
    if (!present) {
      System.err.println("SystemdUnitTest: skipped, systemd-analyze is not installed");
    }
    assumeTrue(present, "systemd-analyze is not installed; the unit file is not checked");
  }

  record Run(int exitCode, String out, String err) {}

  private static Run run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + String.join(" ", cmd));
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  @Test
  void exposureIsAtMostTwoAndAHalf() throws Exception {
    Run r = run("systemd-analyze", "security", "--offline=true", "--no-pager", UNIT.toString());
    Matcher m = EXPOSURE.matcher(r.out());
    assertTrue(m.find(), "no exposure figure in: " + r.out() + r.err());
    double exposure = Double.parseDouble(m.group(1));
    assertTrue(exposure <= MAX_EXPOSURE, "exposure " + exposure + " > " + MAX_EXPOSURE + ":\n" + r.out());
  }

  /**
   * {@code verify} also checks that ExecStart's program exists, and on a build machine
   * /usr/local/bin/certkeeper usually does not; so it checks a copy of the unit whose ExecStart names
   * an executable stand-in at the same place in a temporary folder. Everything else is the shipped unit.
   */
  @Test
  void passesSystemdAnalyzeVerify() throws Exception {
    Path launcher = dir.resolve("certkeeper");
    Files.writeString(launcher, "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    String unit = Files.readString(UNIT);
    assertTrue(unit.contains("ExecStart=/usr/local/bin/certkeeper "), unit);
    Path copy = dir.resolve("certkeeper.service");
    Files.writeString(copy, unit.replace("ExecStart=/usr/local/bin/certkeeper ", "ExecStart=" + launcher + " "));

    Run r = run("systemd-analyze", "verify", "--man=false", copy.toString());
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.err().lines().noneMatch(l -> l.contains("certkeeper.service")), "warnings about the unit:\n" + r.err());
  }

  @Test
  void runsAsTheDaemonUnderNotifyWithItsStateAndCredentials() throws Exception {
    String unit = Files.readString(UNIT);
    for (String line : List.of(
        "Type=notify",
        "ExecStart=/usr/local/bin/certkeeper --config /etc/certkeeper/certkeeper.yaml daemon",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "User=certkeeper",
        "StateDirectory=certkeeper",
        "ConfigurationDirectory=certkeeper",
        "LoadCredential=ca-passphrase:/etc/certkeeper/ca-passphrase",
        "LoadCredential=smtp-password:/etc/certkeeper/smtp-password",
        "TimeoutStopSec=15s")) {
      assertTrue(unit.lines().anyMatch(line::equals), "missing: " + line);
    }
    assertTrue(unit.lines().noneMatch(l -> l.startsWith("MemoryDenyWriteExecute=yes")), "the JIT needs W+X memory");
  }
}
