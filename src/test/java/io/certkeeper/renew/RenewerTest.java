package io.certkeeper.renew;

import io.certkeeper.store.ManagedCertificateRepository;
import io.certkeeper.store.ManagedState;
import static io.certkeeper.renew.ManagedFixture.assertKeyMatches;
import static io.certkeeper.renew.ManagedFixture.serialOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.x509.Fingerprints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Renewals on a real store, CA and files, with a clock the test moves. */
class RenewerTest {
  @TempDir Path dir;

  String yaml(String extra) {
    Path out = dir.resolve("out");
    return "ca:\n  passphrase: env:UNUSED\ncertificates:\n"
        + "  - name: web\n"
        + "    common-name: www.example.test\n"
        + "    sans: [dns:example.test]\n"
        + "    validity: 90d\n"
        + "    renew-before: 30d\n"
        + "    outputs:\n"
        + "      - {type: key, path: " + out.resolve("web.key") + "}\n"
        + "      - {type: cert, path: " + out.resolve("web.crt") + ", mode: 0640}\n"
        + "      - {type: fullchain, path: " + out.resolve("web.fullchain") + ", mode: \"0644\"}\n"
        + extra;
  }

  @Test
  void firstIssueWritesAGenerationTheOutputsAndTheStoreInAgreement() throws Exception {
    try (ManagedFixture f = new ManagedFixture(dir, yaml(""))) {
      assertEquals(1, f.renewer.issueMissing());
      Generation g = f.current("web");
      ManagedState s = f.state("web");
      assertEquals(g.serial(), s.serial());
      assertEquals(g.sha256(), s.sha256());
      assertEquals(1, s.generation());
      Path out = dir.resolve("out");
      assertEquals(g.serial(), serialOf(out.resolve("web.crt")));
      assertKeyMatches(out.resolve("web.crt"), out.resolve("web.key"));
      assertKeyMatches(out.resolve("web.fullchain"), out.resolve("web.key"));
      assertKeyMatches(ManagedLayout.currentFullchain(f.data, "web"), ManagedLayout.currentKey(f.data, "web"));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("web.key"))));
      assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("web.crt"))));
      assertEquals("rw-------", PosixFilePermissions.toString(
          Files.getPosixFilePermissions(ManagedLayout.currentKey(f.data, "web"))));
      assertEquals(0, f.renewer.issueMissing(), "issued once only");
    }
  }

  @Test
  void checkRenewsOnlyOnceTheRenewalTimeHasComeAndKeepsThePreviousGeneration() throws Exception {
    try (ManagedFixture f = new ManagedFixture(dir, yaml(""))) {
      f.renewer.issueMissing();
      Generation first = f.current("web");
      Instant renewAt = Renewer.policyOf(f.config.get().certificate("web").get())
          .renewalTime("web", first.notBefore(), first.notAfter());

      f.clock.advance(Duration.between(f.clock.instant(), renewAt).minusMinutes(1));
      f.renewer.check();
      assertEquals(first.serial(), f.current("web").serial(), "not due yet");

      f.clock.advance(Duration.ofMinutes(2));
      f.renewer.check();
      Generation second = f.current("web");
      assertNotEquals(first.serial(), second.serial());
      assertTrue(second.notAfter().isAfter(first.notAfter()));
      assertNotEquals(first.keySha256(), second.keySha256(), "a new key by default");
      assertEquals(2, f.state("web").generation());
      assertEquals(second.serial(), serialOf(dir.resolve("out/web.crt")));
      assertKeyMatches(dir.resolve("out/web.crt"), dir.resolve("out/web.key"));
      assertEquals(List.of(first.serial(), second.serial()).stream().sorted().toList(),
          new Generations(f.data, "web").serials().stream().sorted().toList(), "previous generation kept");

      f.renewer.check();
      assertEquals(second.serial(), f.current("web").serial(), "not due again");
    }
  }

  @Test
  void keyReuseKeepsTheKeyAcrossRenewals() throws Exception {
    try (ManagedFixture f = new ManagedFixture(dir, yaml("    key: reuse\n"))) {
      f.renewer.issueMissing();
      Generation first = f.current("web");
      f.clock.advance(Duration.ofDays(61));
      f.renewer.check();
      Generation second = f.current("web");
      assertNotEquals(first.serial(), second.serial());
      assertEquals(first.keySha256(), second.keySha256());
      assertEquals(first.keySha256(), Fingerprints.spkiSha256(second.certificate()));
    }
  }

  @Test
  void aSecondRenewalWithinTheMinimumIntervalIsRefusedUnlessForced() throws Exception {
    try (ManagedFixture f = new ManagedFixture(dir, yaml(""))) {
      f.renewer.issueMissing();
      String first = f.current("web").serial();
      f.clock.advance(Duration.ofMinutes(10));
      Renewer.Outcome o = f.renewer.renew("web", false);
      assertEquals(Renewer.Kind.REFUSED, o.kind(), o.toString());
      assertTrue(o.message().contains("at most one renewal per 1h"), o.message());
      assertEquals(first, f.current("web").serial());
      assertEquals(0, f.state("web").consecutiveFailures(), "a refusal is not a failure");

      Renewer.Outcome forced = f.renewer.renew("web", true);
      assertEquals(Renewer.Kind.RENEWED, forced.kind(), forced.toString());
      assertNotEquals(first, f.current("web").serial());
    }
  }

  @Test
  void aRenewalThatWouldNotExtendNotAfterIsRefusedAndRecorded() throws Exception {
    try (ManagedFixture f = new ManagedFixture(dir, yaml(""))) {
      f.renewer.issueMissing();
      String first = f.current("web").serial();
      f.configure(yaml("").replace("validity: 90d", "validity: 40d").replace("renew-before: 30d", "renew-before: 10d"));
      f.clock.advance(Duration.ofDays(2));
      Renewer.Outcome o = f.renewer.renew("web", true);
      assertEquals(Renewer.Kind.FAILED, o.kind());
      assertTrue(o.message().contains("not after the current one"), o.message());
      assertEquals(first, f.current("web").serial());
      assertEquals(1, f.state("web").consecutiveFailures());
    }
  }

  @Test
  void failuresAreRecordedAndRetriedWithExponentialBackoff() throws Exception {
    try (ManagedFixture f = new ManagedFixture(dir, yaml(""))) {
      f.renewer.issueMissing();
      String first = f.current("web").serial();
      // the CA now refuses the names: every attempt fails
      f.configure(yaml("").replace("ca:\n", "ca:\n  policy:\n    allowed-names: [\"*.other.test\"]\n"));
      Renewer broken = Renewer.builder(f.store, io.certkeeper.ca.Issuer.forCa(
          io.certkeeper.ca.LocalCa.load(f.data.resolve("ca"), ManagedFixture.PASS.toCharArray()),
          CaPolicies.of(f.config.get().ca()), new io.certkeeper.store.IssuedCertificateRepository(f.store), f.clock,
          java.util.Optional.empty()), f.config::get, f.data, f.clock).build();
      f.clock.advance(Duration.ofDays(61));
      Instant t1 = f.clock.instant();
      broken.check();
      ManagedState s = f.state("web");
      assertEquals(1, s.consecutiveFailures());
      assertTrue(s.lastError().orElseThrow().contains("not allowed by policy"), s.lastError().toString());
      assertEquals(t1.plus(Duration.ofMinutes(5)), s.nextAttemptAt().orElseThrow());
      assertEquals("backing-off", Explanation.of(f.config.get().certificate("web").get(), java.util.Optional.of(s),
          f.clock.instant()).state());

      f.clock.advance(Duration.ofMinutes(4));
      broken.check();
      assertEquals(1, f.state("web").consecutiveFailures(), "no attempt while backing off");

      f.clock.advance(Duration.ofMinutes(1));
      Instant t2 = f.clock.instant();
      broken.check();
      assertEquals(2, f.state("web").consecutiveFailures());
      assertEquals(t2.plus(Duration.ofMinutes(10)), f.state("web").nextAttemptAt().orElseThrow());
      assertEquals(first, f.current("web").serial(), "the current certificate stays");

      // fixed: the next attempt succeeds and clears the failures
      f.clock.advance(Duration.ofMinutes(10));
      f.renewer.check();
      ManagedState ok = f.state("web");
      assertNotEquals(first, ok.serial());
      assertEquals(0, ok.consecutiveFailures());
      assertFalse(ok.lastError().isPresent());
      assertFalse(ok.nextAttemptAt().isPresent());
    }
  }

  @Test
  void reconcilerBringsStoreAndOutputsInLineWithTheCurrentLink() throws Exception {
    try (ManagedFixture f = new ManagedFixture(dir, yaml(""))) {
      f.renewer.issueMissing();
      Generation first = f.current("web");
      byte[] oldKey = Files.readAllBytes(dir.resolve("out/web.key"));
      f.clock.advance(Duration.ofDays(61));
      f.renewer.check();
      Generation second = f.current("web");
      // as if killed after the swap: store and one output still on the first generation,
      // a temporary key file and a never-committed generation folder left behind
      f.records().swapped("web", first.inForce(), "test", f.clock.instant());
      Files.write(dir.resolve("out/web.key"), oldKey);
      Files.writeString(dir.resolve("out/.web.key.tmp-abc"), "partial");
      Files.createDirectories(ManagedLayout.generations(f.data, "web").resolve(".ffff.tmp"));

      Reconciler r = Reconciler.create(f.store, f.data, f.clock, f.config.get().nodeName());
      assertEquals(1, r.reconcileAll(f.config.get().certificates()));
      assertEquals(second.serial(), f.state("web").serial());
      assertKeyMatches(dir.resolve("out/web.crt"), dir.resolve("out/web.key"));
      assertEquals(second.serial(), serialOf(dir.resolve("out/web.crt")));
      assertFalse(Files.exists(dir.resolve("out/.web.key.tmp-abc")));
      assertFalse(Files.exists(ManagedLayout.generations(f.data, "web").resolve(".ffff.tmp")));
      assertEquals(0, r.reconcileAll(f.config.get().certificates()), "nothing left to repair");
    }
  }
}
