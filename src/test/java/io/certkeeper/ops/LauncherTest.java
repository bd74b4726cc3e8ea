package io.certkeeper.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/certkeeper}, the launcher of a checkout, run from a copy in a folder laid out like a
 * checkout, with a {@code java} and an {@code mvnw} on the PATH that only say how they were called.
 * The launcher that {@code scripts/install.sh} writes is checked the same way in {@link InstallScriptIT}.
 */
class LauncherTest {
  /** The options a short command gets and the daemon does not. */
  static final List<String> SHORT_RUN = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
  /** The daemon: C2 kept, serial GC, a heap bounded by need. */
  static final List<String> DAEMON = List.of("-XX:+UseSerialGC", "-Xms16m", "-Xmx256m");

  @TempDir Path dir;
  Path root;
  Path jar;
  Path bin;

  record Run(int exitCode, String out, String err) {}

  @BeforeEach
  void layOutACheckout() throws IOException {
    root = dir.resolve("checkout");
    Files.createDirectories(root.resolve("scripts"));
    Files.createDirectories(root.resolve("src/main/java"));
    Files.createDirectories(root.resolve("target"));
    Files.copy(Path.of("scripts/certkeeper"), root.resolve("scripts/certkeeper"), StandardCopyOption.COPY_ATTRIBUTES);
    Files.writeString(root.resolve("pom.xml"), "<project/>\n");
    jar = root.resolve("target/certkeeper.jar");
    Files.writeString(jar, "not a jar: the java on the PATH never opens it\n");
    FileTime old = FileTime.from(Instant.now().minusSeconds(3600));
    Files.setLastModifiedTime(root.resolve("pom.xml"), old);
    Files.setLastModifiedTime(root.resolve("src/main/java"), old);
    Files.setLastModifiedTime(root.resolve("src/main"), old);
    bin = Files.createDirectories(dir.resolve("bin"));
    executable(bin.resolve("java"), "#!/bin/sh\necho \"umask $(umask)\"\nfor a in \"$@\"; do echo \"arg $a\"; done\n");
  }

  static void executable(Path file, String script) throws IOException {
    Files.writeString(file, script);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  static Run run(Path launcher, Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("CERTKEEPER_JAVA_OPTS");
    pb.environment().remove("JAVA_HOME");
    pb.environment().putAll(env);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + cmd);
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  /** What the stand-in java was given, one argument a line. */
  static List<String> javaArgs(Run r) {
    return r.out().lines().filter(l -> l.startsWith("arg ")).map(l -> l.substring(4)).toList();
  }

  private Run launch(String... args) throws Exception {
    return run(root.resolve("scripts/certkeeper"), Map.of("PATH", bin + ":/usr/bin:/bin"), args);
  }

  @Test
  void aCommandGetsAJvmForAShortRunAndTheDaemonDoesNot() throws Exception {
    List<String> status = javaArgs(launch("--config", "c.yaml", "status", "--json"));
    assertTrue(status.containsAll(SHORT_RUN), status.toString());
    assertEquals(List.of("-jar", jar.toString(), "--config", "c.yaml", "status", "--json"),
        status.subList(status.indexOf("-jar"), status.size()));

    List<String> daemon = javaArgs(launch("--config", "c.yaml", "daemon"));
    assertTrue(daemon.stream().noneMatch("-XX:TieredStopAtLevel=1"::equals), daemon.toString());
    List<String> expected = new java.util.ArrayList<>(DAEMON);
    expected.addAll(List.of("-jar", jar.toString(), "--config", "c.yaml", "daemon"));
    assertEquals(expected, daemon);
  }

  @Test
  void aGlobalOptionsValueIsNotTakenForTheCommand() throws Exception {
    List<String> args = javaArgs(launch("--config", "daemon", "status"));
    assertTrue(args.containsAll(SHORT_RUN), args.toString());
    List<String> daemon = javaArgs(launch("-v", "--data-dir", "/var/lib/x", "daemon"));
    assertTrue(daemon.containsAll(DAEMON) && !daemon.contains("-XX:TieredStopAtLevel=1"), daemon.toString());
  }

  @Test
  void theArchiveIsPassedWhenTheBuildMadeOne() throws Exception {
    assertTrue(javaArgs(launch("status")).stream().noneMatch(a -> a.startsWith("-XX:SharedArchiveFile")));
    Path jsa = root.resolve("target/certkeeper.jsa");
    Files.writeString(jsa, "archive");
    for (String verb : List.of("status", "daemon")) {
      List<String> args = javaArgs(launch(verb));
      assertTrue(args.containsAll(List.of("-XX:SharedArchiveFile=" + jsa, "-Xshare:auto", "-Xlog:cds=off",
          "-Xlog:cds+dynamic=off")), verb + ": " + args);
    }
  }

  @Test
  void runsWithUmask077AndTheUsersJvmOptionsLast() throws Exception {
    Run r = run(root.resolve("scripts/certkeeper"),
        Map.of("PATH", bin + ":/usr/bin:/bin", "CERTKEEPER_JAVA_OPTS", "-Xmx64m -Dx=y"), "list");
    assertTrue(r.out().startsWith("umask 0077\n"), r.out());
    List<String> args = javaArgs(r);
    assertEquals(List.of("-Xmx64m", "-Dx=y", "-jar"), args.subList(args.indexOf("-jar") - 2, args.indexOf("-jar") + 1));
    // the daemon's own heap bound comes before them, so a user's -Xmx wins
    List<String> daemon = javaArgs(run(root.resolve("scripts/certkeeper"),
        Map.of("PATH", bin + ":/usr/bin:/bin", "CERTKEEPER_JAVA_OPTS", "-Xmx1g"), "daemon"));
    assertTrue(daemon.indexOf("-Xmx256m") < daemon.indexOf("-Xmx1g") && daemon.indexOf("-Xmx256m") >= 0, daemon.toString());
  }

  @Test
  void aStaleJarIsBuiltWithMavensProgressOnStderrOnly() throws Exception {
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(7200)));
    executable(root.resolve("mvnw"), "#!/bin/sh\necho \"[INFO] mvnw $*\"\ntouch target/certkeeper.jar\n");
    Run r = launch("--version");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.err().contains("certkeeper: building " + jar), r.err());
    assertTrue(r.err().contains("[INFO] mvnw -B --no-transfer-progress -DskipTests package"), r.err());
    assertFalse(r.err().contains(" -q"), r.err());
    assertFalse(r.out().contains("[INFO]"), "Maven's output on stdout: " + r.out());
    assertEquals(List.of("--version"), javaArgs(r).subList(javaArgs(r).size() - 1, javaArgs(r).size()));
  }

  @Test
  void aFailedBuildSaysSoAndRunsNothing() throws Exception {
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(7200)));
    executable(root.resolve("mvnw"), "#!/bin/sh\necho '[ERROR] COMPILATION ERROR'\nexit 1\n");
    Run r = launch("status");
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("certkeeper: the build failed (see above)"), r.err());
    assertEquals("", r.out());
  }
}
