package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.ExternalTool;
import io.certkeeper.testing.OpenSsl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's file system fills up under a running daemon (a small tmpfs as the data directory, then
 * a filler file): the listeners keep serving, {@code /readyz} says not ready and why, {@code status}
 * names the store problem, and once the filler is gone the daemon is ready again without a restart
 * and writes probe results again. Needs root and {@code mount -t tmpfs} (CI runs as root); skipped
 * otherwise.
 */
@Tag("reliability")
class DiskFullFaultIT {
  static final Duration TURN = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void aFullStoreDiskMakesTheDaemonNotReadyWhileListenersServeAndItRecoversWhenSpaceReturns() throws Exception {
    FaultRig rig = new FaultRig(dir);
    Files.createDirectories(rig.data);
    ExternalTool.Result mount = ExternalTool.run(dir, "mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs",
        rig.data.toString());
    Assumptions.assumeTrue(mount.ok(), "disk-full test skipped: cannot mount a tmpfs here (needs root): " + mount.output());
    try (rig) {
      Files.setPosixFilePermissions(rig.data, PosixFilePermissions.fromString("rwx------"));
      OpenSsl.selfSigned(dir, "peer", "localhost", 60);
      int peer = FaultRig.freePort();
      rig.serve(peer, "peer");
      int echo = FaultRig.freePort();
      int admin = FaultRig.freePort();
      Files.writeString(dir.resolve("token"), "fault-token\n");
      rig.config("ca:\n  passphrase: env:CA_PASS\n"
          + "certificates:\n  - {name: web, common-name: localhost, validity: 30d}\n"
          + "listeners:\n"
          + "  - {name: echo, bind: 127.0.0.1:" + echo + ", role: echo, certificate: {managed: web}}\n"
          + "  - name: admin\n    bind: 127.0.0.1:" + admin + "\n    role: admin\n    certificate: {managed: web}\n"
          + "    auth: {token: 'file:" + dir.resolve("token") + "'}\n"
          + "defaults:\n  every: 1s\n  ca-files: [peer.pem]\n"
          + "endpoints:\n  - localhost:" + peer + "\n");
      rig.caInit();
      Path filler = rig.data.resolve("filler");
      try (DaemonProcess d = rig.startReady()) {
        assertEquals(200, rig.get(admin, "/readyz").status(), "ready before the disk fills");
        String serial = rig.servedSerial(echo);

        // fill the file system to the last byte; dd stops with ENOSPC
        ExternalTool.run(dir, "dd", "if=/dev/zero", "of=" + filler, "bs=64k");
        FaultRig.await("/readyz 503 with a store reason while the disk is full", TURN, () -> {
          FaultRig.HttpAnswer a = rig.get(admin, "/readyz");
          return a.status() == 503 && a.body().contains("store not writable");
        });
        assertEquals(serial, rig.servedSerial(echo), "the echo listener stops serving its certificate on a full disk");
        DaemonProcess.Result status = rig.cli("status");
        String said = status.out() + status.err();
        assertTrue(status.exitCode() != 0 && said.contains("No space left on device")
            || said.contains("not writable"), "status does not name the full store: " + said);

        Files.delete(filler);
        FaultRig.await("/readyz 200 again after space returned", TURN, () -> rig.get(admin, "/readyz").status() == 200);
        d.awaitLine(l -> l.contains("store - writable again"), TURN);
        String id = "localhost:" + peer;
        int before = rig.json("endpoint", "history", id, "--json", "--limit", "1000").get("results").size();
        FaultRig.await("new probe results written after recovery", TURN, () -> {
          try {
            return rig.json("endpoint", "history", id, "--json", "--limit", "1000").get("results").size() > before;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
        assertEquals(serial, rig.servedSerial(echo));
        d.signal("TERM");
        assertTrue(d.process().waitFor(20, TimeUnit.SECONDS), "daemon did not stop after TERM");
      } finally {
        Files.deleteIfExists(filler);
      }
    } finally {
      ExternalTool.run(dir, "umount", "-l", rig.data.toString());
    }
  }
}
