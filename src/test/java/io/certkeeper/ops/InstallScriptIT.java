package io.certkeeper.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/install.sh and scripts/uninstall.sh into a temporary prefix, with the jar the build just
 * packaged ({@code --no-build}: a test must not start a second Maven).
 */
class InstallScriptIT {
  @TempDir Path dir;

  record Run(int exitCode, String out) {}

  private static Run run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + String.join(" ", cmd));
    return new Run(p.exitValue(), out);
  }

  private static Run install(Path prefix, String... more) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("scripts/install.sh", "--prefix", prefix.toString(), "--no-build"));
    cmd.addAll(List.of(more));
    return run(cmd.toArray(new String[0]));
  }

  @Test
  void installsIntoAPrefixAndTheInstalledLauncherRuns() throws Exception {
    Path prefix = dir.resolve("root");
    Run r = install(prefix);
    assertEquals(0, r.exitCode(), r.out());

    assertTrue(Files.isRegularFile(prefix.resolve("opt/certkeeper/certkeeper.jar")));
    try (var libs = Files.list(prefix.resolve("opt/certkeeper/lib"))) {
      assertTrue(libs.anyMatch(f -> f.getFileName().toString().startsWith("picocli-")));
    }
    Path launcher = prefix.resolve("usr/local/bin/certkeeper");
    assertTrue(Files.isExecutable(launcher));
    assertEquals("rw-r-----", perms(prefix.resolve("etc/certkeeper/certkeeper.yaml")));
    assertEquals("rw-------", perms(prefix.resolve("etc/certkeeper/ca-passphrase")));
    assertEquals("rw-------", perms(prefix.resolve("etc/certkeeper/smtp-password")));
    assertEquals(Files.readString(Path.of("systemd/certkeeper.service")),
        Files.readString(prefix.resolve("etc/systemd/system/certkeeper.service")));

    Run version = run(launcher.toString(), "--version");
    assertEquals(0, version.exitCode(), version.out());
    assertTrue(version.out().startsWith("certkeeper "), version.out());
  }

  @Test
  void reinstallingKeepsAnEditedConfiguration() throws Exception {
    Path prefix = dir.resolve("root");
    assertEquals(0, install(prefix).exitCode());
    Path yaml = prefix.resolve("etc/certkeeper/certkeeper.yaml");
    Files.writeString(yaml, "log:\n  level: debug\n");
    Path passphrase = prefix.resolve("etc/certkeeper/ca-passphrase");
    Files.writeString(passphrase, "secret\n");

    Run again = install(prefix);
    assertEquals(0, again.exitCode(), again.out());
    assertTrue(again.out().contains("keeping the existing " + yaml), again.out());
    assertEquals("log:\n  level: debug\n", Files.readString(yaml));
    assertEquals("secret\n", Files.readString(passphrase));
  }

  @Test
  void dryRunPrintsEachActionAndWritesNothing() throws Exception {
    Path prefix = dir.resolve("never");
    Run r = install(prefix, "--dry-run");
    assertEquals(0, r.exitCode(), r.out());
    assertTrue(r.out().contains("+ install -m 0644 "), r.out());
    assertTrue(r.out().contains("+ write " + prefix.resolve("usr/local/bin/certkeeper")), r.out());
    assertTrue(r.out().contains("dry run, nothing was changed"), r.out());
    assertFalse(Files.exists(prefix), "dry run created " + prefix);
  }

  @Test
  void uninstallRemovesTheProgramAndKeepsConfigurationUnlessPurged() throws Exception {
    Path prefix = dir.resolve("root");
    assertEquals(0, install(prefix).exitCode());
    Files.createDirectories(prefix.resolve("var/lib/certkeeper"));
    Files.writeString(prefix.resolve("var/lib/certkeeper/certkeeper.mv.db"), "data");

    Run r = run("scripts/uninstall.sh", "--prefix", prefix.toString());
    assertEquals(0, r.exitCode(), r.out());
    assertFalse(Files.exists(prefix.resolve("opt/certkeeper")));
    assertFalse(Files.exists(prefix.resolve("usr/local/bin/certkeeper")));
    assertFalse(Files.exists(prefix.resolve("etc/systemd/system/certkeeper.service")));
    assertTrue(Files.exists(prefix.resolve("etc/certkeeper/certkeeper.yaml")));
    assertTrue(Files.exists(prefix.resolve("var/lib/certkeeper/certkeeper.mv.db")));

    Run purge = run("scripts/uninstall.sh", "--prefix", prefix.toString(), "--purge");
    assertEquals(0, purge.exitCode(), purge.out());
    assertFalse(Files.exists(prefix.resolve("etc/certkeeper")));
    assertFalse(Files.exists(prefix.resolve("var/lib/certkeeper")));
  }

  private static String perms(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
