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

  private static Run run(java.util.Map<String, String> env, String... cmd) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("CERTKEEPER_JAVA_OPTS");
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + String.join(" ", cmd));
    return new Run(p.exitValue(), out);
  }

  @Test
  void installsIntoAPrefixAndTheInstalledLauncherRuns() throws Exception {
    Path prefix = dir.resolve("root");
    Run r = install(prefix);
    assertEquals(0, r.exitCode(), r.out());
    assertTrue(r.out().contains("making the class-data-sharing archive"), r.out());

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

    // A command that uses the store prints its output on stdout and nothing on stderr.
    Path config = dir.resolve("certkeeper.yaml");
    Files.writeString(config, "data-dir: " + dir.resolve("data") + "\n");
    LauncherTest.Run list = LauncherTest.run(launcher, java.util.Map.of(), "--config", config.toString(), "list",
        "--json");
    assertEquals(0, list.exitCode(), list.err());
    assertEquals("[ ]", list.out().strip());
    assertEquals("", list.err());

    // The archive was made for this jar at this path: -Xshare:on makes the JVM fail if it cannot use it.
    Path jsa = prefix.resolve("opt/certkeeper/certkeeper.jsa");
    assertEquals("rw-r--r--", perms(jsa));
    Run shared = run(java.util.Map.of("CERTKEEPER_JAVA_OPTS", "-Xshare:on"), launcher.toString(), "--version");
    assertEquals(0, shared.exitCode(), shared.out());
    assertTrue(shared.out().startsWith("certkeeper "), shared.out());
  }

  @Test
  void installsShellCompletionAndManPages() throws Exception {
    Path prefix = dir.resolve("root");
    assertEquals(0, install(prefix, "--no-cds").exitCode());
    Path completion = prefix.resolve("usr/local/share/bash-completion/completions/certkeeper");
    assertEquals("rw-r--r--", perms(completion));
    String script = Files.readString(completion);
    assertTrue(script.contains("complete -F _complete_certkeeper"), script.substring(0, 200));
    assertTrue(script.contains("status") && script.contains("--expiring-within"), "commands and options complete");
    Run bash = run("bash", "-c", "source " + completion + " && complete -p certkeeper");
    assertEquals(0, bash.exitCode(), bash.out());

    Path man = prefix.resolve("usr/local/share/man/man1");
    for (String page : List.of("certkeeper.1", "certkeeper-status.1", "certkeeper-verify.1", "certkeeper-endpoint-add.1")) {
      assertEquals("rw-r--r--", perms(man.resolve(page)), page);
      String troff = Files.readString(man.resolve(page));
      assertTrue(troff.contains(".TH \"CERTKEEPER"), page + ": " + troff.substring(0, Math.min(300, troff.length())));
    }
    assertTrue(Files.readString(man.resolve("certkeeper-verify.1")).contains("careful TLS client"));
  }

  @Test
  void theInstalledLauncherGivesCommandsAJvmForAShortRunAndTheDaemonItsOwn() throws Exception {
    Path prefix = dir.resolve("root");
    assertEquals(0, install(prefix, "--no-cds").exitCode());
    Path javaHome = dir.resolve("jdk");
    Files.createDirectories(javaHome.resolve("bin"));
    LauncherTest.executable(javaHome.resolve("bin/java"),
        "#!/bin/sh\necho \"umask $(umask)\"\nfor a in \"$@\"; do echo \"arg $a\"; done\n");
    Path launcher = prefix.resolve("usr/local/bin/certkeeper");
    Path jsa = prefix.resolve("opt/certkeeper/certkeeper.jsa");
    java.util.Map<String, String> env = java.util.Map.of("JAVA_HOME", javaHome.toString());

    LauncherTest.Run status = launch(env, launcher, "--config", "daemon", "status");
    assertTrue(status.out().startsWith("umask 0077\n"), status.out());
    List<String> args = LauncherTest.javaArgs(status);
    assertTrue(args.containsAll(LauncherTest.SHORT_RUN), args.toString());
    assertFalse(args.contains("-XX:SharedArchiveFile=" + jsa), "no archive with --no-cds: " + args);
    assertEquals(List.of("-jar", prefix.resolve("opt/certkeeper/certkeeper.jar").toString(), "--config", "daemon",
        "status"), args.subList(args.indexOf("-jar"), args.size()));

    Files.writeString(jsa, "archive");
    List<String> daemon = LauncherTest.javaArgs(launch(env, launcher, "--config", "/etc/c.yaml", "daemon"));
    assertTrue(daemon.stream().noneMatch(LauncherTest.SHORT_RUN::contains), daemon.toString());
    assertTrue(daemon.containsAll(List.of("-XX:SharedArchiveFile=" + jsa, "-Xshare:auto")), daemon.toString());
  }

  private static LauncherTest.Run launch(java.util.Map<String, String> env, Path launcher, String... args)
      throws Exception {
    return LauncherTest.run(launcher, env, args);
  }

  @Test
  void reinstallingKeepsAnEditedConfiguration() throws Exception {
    Path prefix = dir.resolve("root");
    assertEquals(0, install(prefix, "--no-cds").exitCode());
    Path yaml = prefix.resolve("etc/certkeeper/certkeeper.yaml");
    Files.writeString(yaml, "log:\n  level: debug\n");
    Path passphrase = prefix.resolve("etc/certkeeper/ca-passphrase");
    Files.writeString(passphrase, "secret\n");

    Run again = install(prefix, "--no-cds");
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
    assertEquals(0, install(prefix, "--no-cds").exitCode());
    assertTrue(Files.exists(prefix.resolve("usr/local/share/man/man1/certkeeper.1")));
    Files.createDirectories(prefix.resolve("var/lib/certkeeper"));
    Files.writeString(prefix.resolve("var/lib/certkeeper/certkeeper.mv.db"), "data");

    Run r = run("scripts/uninstall.sh", "--prefix", prefix.toString());
    assertEquals(0, r.exitCode(), r.out());
    assertFalse(Files.exists(prefix.resolve("opt/certkeeper")));
    assertFalse(Files.exists(prefix.resolve("usr/local/bin/certkeeper")));
    assertFalse(Files.exists(prefix.resolve("usr/local/share/bash-completion/completions/certkeeper")));
    try (var pages = Files.list(prefix.resolve("usr/local/share/man/man1"))) {
      assertEquals(0, pages.count(), "man pages left");
    }
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
