package io.certkeeper.renew;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.config.CertificateConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
