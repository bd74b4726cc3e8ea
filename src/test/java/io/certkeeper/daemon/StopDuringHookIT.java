package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM while a renewal's deploy hook runs (the first issuance at start, its hook stuck): the
 * daemon ends the hook and everything it started, stops cleanly within its deadline, and the next
 * start runs the hook again, once, for the certificate in force.
 */
@Tag("reliability")
class StopDuringHookIT {
  @TempDir Path dir;

  @Test
  void aStopEndsAStuckHookAndTheNextStartRunsItAgain() throws Exception {
    try (FaultRig rig = new FaultRig(dir)) {
      Path runs = dir.resolve("runs.txt");
      Path child = dir.resolve("child.pid");
      // the hook records its run, leaves a child behind, and hangs
      String script = "echo \\\"$CERTKEEPER_SERIAL\\\" >> " + runs + "; sleep 600 & echo $! > " + child
          + "; if [ ! -f " + dir.resolve("second") + " ]; then sleep 600; fi";
      rig.config("ca:\n  passphrase: env:CA_PASS\n"
          + "certificates:\n  - name: web\n    common-name: localhost\n    validity: 30d\n"
          + "    hooks:\n      - command: [\"/bin/sh\", \"-c\", \"" + script + "\"]\n        timeout: 10m\n");
      rig.caInit();
      String serial;
      try (DaemonProcess d = rig.daemon()) {
        FaultRig.await("the hook runs", FaultRig.START, () -> Files.exists(child) && size(runs) == 1);
        d.signal("TERM");
        assertTrue(d.process().waitFor(Daemon.STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS),
            "did not exit within " + Daemon.STOP_DEADLINE + ":\n" + String.join("\n", d.lines()));
        assertEquals(0, d.process().exitValue(), String.join("\n", d.lines()));
        List<String> lines = d.lines();
        assertTrue(lines.stream().anyMatch(l -> l.contains("ended: certkeeper is stopping; the hooks run again at the"
            + " next start")), String.join("\n", lines));
        assertFalse(lines.stream().anyMatch(l -> l.contains("ERROR") || l.startsWith("\tat ")), String.join("\n", lines));
        long pid = Long.parseLong(Files.readString(child).strip());
        FaultRig.await("the hook's child ended with it", FaultRig.START,
            () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        serial = Files.readAllLines(runs).get(0);
      }

      Files.createFile(dir.resolve("second"));
      try (DaemonProcess d = rig.startReady()) {
        FaultRig.await("the hook ran again at the next start", FaultRig.START, () -> size(runs) == 2);
        assertEquals(List.of(serial, serial), Files.readAllLines(runs), "the same generation, not a new one");
        d.signal("TERM");
        assertTrue(d.process().waitFor(Daemon.STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS));
      }
      try (DaemonProcess d = rig.startReady()) {
        d.signal("TERM");
        assertTrue(d.process().waitFor(Daemon.STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS));
      }
      assertEquals(2, size(runs), "the hook ran a third time although it had finished");
    }
  }

  private static int size(Path f) {
    try {
      return Files.exists(f) ? Files.readAllLines(f).size() : 0;
    } catch (java.io.IOException e) {
      return 0;
    }
  }
}
