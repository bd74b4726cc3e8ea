package io.certkeeper.renew;

import io.certkeeper.store.ManagedState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.config.CertificateConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HooksTest {
  @TempDir Path dir;

  @Test
  void argvWithSpacesAndQuotesIsPassedIntact() throws Exception {
    Path out = dir.resolve("args.txt");
    List<String> argv = List.of("/bin/sh", "-c", "printf '%s\\n' \"$@\" > \"$OUT\"", "sh", "two words",
        "it's \"quoted\"", " lead and trail ", "$HOME;rm -rf /");
    HookRunner.Result r = HookRunner.run(new CertificateConfig.Hook(argv, Duration.ofSeconds(10),
        Map.of("OUT", out.toString())), Map.of());
    assertTrue(r.ok(), r.toString());
    assertEquals(List.of("two words", "it's \"quoted\"", " lead and trail ", "$HOME;rm -rf /"), Files.readAllLines(out));
  }

  @Test
  void aHookThatHangsIsKilledAtItsTimeout() {
    long t0 = System.nanoTime();
    HookRunner.Result r = HookRunner.run(new CertificateConfig.Hook(List.of("/bin/sh", "-c", "echo started; sleep 30"),
        Duration.ofMillis(500), Map.of()), Map.of());
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(r.timedOut());
    assertTrue(!r.ok());
    assertTrue(r.error().contains("killed after its timeout of 500ms"), r.error());
    assertEquals("started", r.output());
    assertTrue(ms < 10_000, "took " + ms + " ms");
  }

  @Test
  void hooksGetACleanEnvironmentWithTheCertkeeperVariables() throws Exception {
    try (ManagedFixture f = new ManagedFixture(dir, yaml(List.of("/bin/sh", "-c", "env > " + dir.resolve("env.txt")), "10s"))) {
      f.renewer.issueMissing();
      Generation g = f.current("web");
      List<String> env = Files.readAllLines(dir.resolve("env.txt"));
      Path gen = ManagedLayout.generations(f.data, "web").resolve(g.serial());
      assertTrue(env.contains("CERTKEEPER_NAME=web"), env.toString());
      assertTrue(env.contains("CERTKEEPER_SERIAL=" + g.serial()), env.toString());
      assertTrue(env.contains("CERTKEEPER_NOT_AFTER=" + g.notAfter()), env.toString());
      assertTrue(env.contains("CERTKEEPER_CERT_FILE=" + gen.resolve("cert.pem")), env.toString());
      assertTrue(env.contains("CERTKEEPER_KEY_FILE=" + gen.resolve("key.pem")), env.toString());
      assertTrue(env.contains("CERTKEEPER_FULLCHAIN_FILE=" + gen.resolve("fullchain.pem")), env.toString());
      assertTrue(env.stream().noneMatch(l -> l.startsWith("HOME=") || l.startsWith("USER=")), env.toString());
    }
  }

  @Test
  void aFailingOrHangingHookDoesNotUndoTheRenewalAndIsRecorded() throws Exception {
    try (ManagedFixture f = new ManagedFixture(dir, yaml(List.of("/bin/sh", "-c", "echo oops >&2; sleep 30"), "300ms"))) {
      Renewer.Outcome o = f.renewer.renew("web", false);
      assertEquals(Renewer.Kind.RENEWED, o.kind(), o.toString());
      assertEquals(1, o.hookErrors().size(), o.toString());
      assertTrue(o.hookErrors().get(0).contains("killed after its timeout"), o.toString());
      assertTrue(o.hookErrors().get(0).contains("oops"), o.toString());
      ManagedState s = f.state("web");
      assertEquals(o.serial().get(), s.serial());
      assertEquals(o.serial().get(), f.current("web").serial());
      assertTrue(s.lastHookError().orElseThrow().contains("killed after its timeout"));

      f.clock.advance(Duration.ofHours(2));
      f.configure(yaml(List.of("false"), "10s"));
      Renewer.Outcome second = f.renewer.renew("web", false);
      assertEquals(Renewer.Kind.RENEWED, second.kind());
      assertNotEquals(o.serial(), second.serial());
      assertTrue(second.hookErrors().get(0).contains("exited with status 1"), second.toString());
      assertEquals(second.serial().get(), f.current("web").serial());
    }
  }

  @Test
  void hooksRunOnlyWhenSomethingChanged() throws Exception {
    Path count = dir.resolve("count");
    try (ManagedFixture f = new ManagedFixture(dir, yaml(List.of("/bin/sh", "-c", "echo run >> " + count), "10s"))) {
      f.renewer.issueMissing();
      f.renewer.check();
      f.renewer.check();
      f.clock.advance(Duration.ofMinutes(5));
      f.renewer.renew("web", false); // refused: within the minimum interval
      assertEquals(1, Files.readAllLines(count).size());
    }
  }

  @Tag("security")
  @Test
  void aHookThatLeftItsSessionIsEndedAtTheTimeoutWithEverythingItStarted() throws Exception {
    Path pids = dir.resolve("pids");
    String tag = UUID.randomUUID().toString();
    // a double fork into a new session (the intermediate subshell exits: the orphan leaves the tree)
    String script = "echo $$ >> \"$PIDS\"; "
        + "( setsid sh -c 'echo $$ >> \"$PIDS\"; exec sleep 300' & ); "
        + "while [ $(wc -l < \"$PIDS\") -lt 2 ]; do sleep 0.05; done; echo ready; exec sleep 300";
    HookRunner.Result r = HookRunner.run(new CertificateConfig.Hook(List.of("/bin/sh", "-c", script),
        Duration.ofSeconds(3), Map.of("PIDS", pids.toString(), "TAG", tag)), Map.of());
    assertTrue(r.timedOut(), r.toString());
    assertEquals("ready", r.output());
    List<Long> started = Files.readAllLines(pids).stream().map(Long::parseLong).toList();
    assertEquals(2, started.size(), started.toString());
    assertAllGone(started, tag);
  }

  @Tag("security")
  @Test
  void whatASuccessfulHookLeavesRunningIsEndedWhenItExits() throws Exception {
    Path pids = dir.resolve("pids");
    String tag = UUID.randomUUID().toString();
    String script = "( setsid sh -c 'echo $$ >> \"$PIDS\"; exec sleep 300' & ); "
        + "while [ ! -s \"$PIDS\" ]; do sleep 0.05; done; echo deployed";
    HookRunner.Result r = HookRunner.run(new CertificateConfig.Hook(List.of("/bin/sh", "-c", script),
        Duration.ofSeconds(30), Map.of("PIDS", pids.toString(), "TAG", tag)), Map.of());
    assertTrue(r.ok(), r.toString());
    assertEquals("deployed", r.output());
    assertAllGone(Files.readAllLines(pids).stream().map(Long::parseLong).toList(), tag);
  }

  @Test
  void hooksDoNotSeeTheDaemonsEnvironment() throws Exception {
    Path out = dir.resolve("env.txt");
    HookRunner.Result r = HookRunner.run(new CertificateConfig.Hook(List.of("/bin/sh", "-c", "env > \"$OUT\""),
        Duration.ofSeconds(10), Map.of("OUT", out.toString())), Map.of("CERTKEEPER_NAME", "web"));
    assertTrue(r.ok(), r.toString());
    List<String> names = Files.readAllLines(out).stream().map(l -> l.substring(0, l.indexOf('='))).sorted().toList();
    List<String> allowed = List.of("CERTKEEPER_HOOK_RUN", "CERTKEEPER_NAME", "OUT", "PATH", "PWD", "SHLVL", "_");
    assertTrue(allowed.containsAll(names), names.toString());
  }

  /**
   * Polls until none of {@code pids} exists any more, as a running process or as a zombie waiting
   * to be reaped, and no process carries {@code TAG=tag} in its environment.
   */
  private static void assertAllGone(List<Long> pids, String tag) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<String> left;
    do {
      left = new ArrayList<>();
      for (long pid : pids) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
          String s = Files.readString(stat);
          left.add(pid + " (" + s.substring(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3) + ")");
        } catch (java.io.IOException gone) {
          // no such process
        }
      }
      left.addAll(tagged("TAG=" + tag));
      if (left.isEmpty()) {
        return;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
    throw new AssertionError("still there: " + left);
  }

  private static List<String> tagged(String entry) {
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .filter(p -> {
            try {
              return List.of(new String(Files.readAllBytes(p.resolve("environ"))).split("\0")).contains(entry);
            } catch (java.io.IOException | RuntimeException e) {
              return false;
            }
          })
          .map(p -> p.getFileName() + " (tagged)").toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  String yaml(List<String> argv, String timeout) {
    StringBuilder cmd = new StringBuilder("[");
    for (int i = 0; i < argv.size(); i++) {
      cmd.append(i == 0 ? "" : ", ").append('"').append(argv.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    cmd.append(']');
    return "certificates:\n  - name: web\n    common-name: www.example.test\n    hooks:\n"
        + "      - command: " + cmd + "\n        timeout: " + timeout + "\n";
  }
}
