package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.certkeeper.testing.OpenSsl;
import io.certkeeper.util.Json;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at random moments while the daemon probes endpoints, mails alerts and has renewals of a
 * managed certificate running against its store (from the CLI, {@code renew --force}), then a
 * restart, {@value #DEFAULT_KILLS} times. After each restart files and store agree and the listener
 * serves the certificate in force; at the end no serial was issued twice, every alert delivery is
 * sent or held by the lease of a killed sender (the documented at-least-once edge), and no
 * Message-ID reached the mail server twice.
 *
 * <p>{@value #DEFAULT_KILLS} kills keep the test near three minutes on two cores; the 20 are
 * {@code -Dcertkeeper.faults.kills=20}. The delays come from a seeded {@link Random}; the seed is printed and can be set with
 * {@code -Dcertkeeper.faults.seed=N}, the number of kills with {@code -Dcertkeeper.faults.kills=N}.
 */
@Tag("reliability")
class KillNineFaultIT {
  static final int DEFAULT_KILLS = 6;
  /** Longest random wait between ready and kill -9. */
  static final int MAX_DELAY_MS = 2500;

  @TempDir Path dir;

  @Test
  @SuppressWarnings("try") // each Kept is only closed: it keeps its daemon's output however the block ends
  void killedAtRandomMomentsTheDaemonLosesNothingAndDuplicatesNothing() throws Exception {
    long seed = Long.getLong("certkeeper.faults.seed", System.nanoTime());
    int kills = Integer.getInteger("certkeeper.faults.kills", DEFAULT_KILLS);
    System.out.println("KillNineFaultIT: seed " + seed + " (-Dcertkeeper.faults.seed=" + seed + "), " + kills + " kills");
    Random random = new Random(seed);
    if (Files.isDirectory(KEPT)) {
      try (java.util.stream.Stream<Path> old = Files.list(KEPT)) {
        for (Path f : old.toList()) {
          Files.delete(f);
        }
      }
    }
    String replay = " [seed " + seed + "]";

    int smtp = FaultRig.freePort();
    GreenMail mail = new GreenMail(new ServerSetup(smtp, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    mail.start();
    AtomicBoolean flapping = new AtomicBoolean(true);
    Thread flapper = null;
    try (FaultRig rig = new FaultRig(dir)) {
      OpenSsl.selfSigned(dir, "expiring", "localhost", 5);
      OpenSsl.selfSigned(dir, "flap", "localhost", 60);
      int expiring = FaultRig.freePort();
      rig.serve(expiring, "expiring");
      int flap = FaultRig.freePort();
      int refused = FaultRig.freePort();
      int echo = FaultRig.freePort();
      Path out = dir.resolve("out");
      rig.config("ca:\n  passphrase: env:CA_PASS\n"
          + "certificates:\n  - name: web\n    common-name: localhost\n    validity: 30d\n    outputs:\n"
          + "      - {type: key, path: " + out.resolve("web.key") + "}\n"
          + "      - {type: cert, path: " + out.resolve("web.crt") + "}\n"
          + "      - {type: fullchain, path: " + out.resolve("web.pem") + "}\n"
          + "listeners:\n  - {name: echo, bind: 127.0.0.1:" + echo + ", role: echo, certificate: {managed: web}}\n"
          + "defaults:\n  every: 1s\n  timeout: 2s\n  ca-files: [expiring.pem, flap.pem]\n"
          + "scheduler:\n  alert-evaluation: 1s\n"
          + "alerts:\n  recipients: [ops@example.test]\n  failing-after: 1\n"
          + "smtp:\n  host: 127.0.0.1\n  port: " + smtp + "\n  security: none\n  from: certkeeper@example.test\n"
          // generous: under load the test's mail server answers late, and an answer after DATA that
          // does not arrive in time is the one way SMTP itself duplicates a mail (see below)
          + "  connect-timeout: 5s\n  read-timeout: 30s\n"
          + "endpoints:\n  - localhost:" + expiring + "\n  - localhost:" + flap + "\n  - localhost:" + refused + "\n");
      rig.caInit();

      // an endpoint that comes and goes: a steady stream of failing and resolved alerts to deliver
      flapper = new Thread(() -> {
        while (flapping.get()) {
          try {
            Process p = rig.serve(flap, "flap");
            Thread.sleep(1500);
            p.destroyForcibly().waitFor();
            Thread.sleep(1500);
          } catch (Exception | AssertionError e) {
            return;
          }
        }
      }, "flapper");
      flapper.setDaemon(true);
      flapper.start();

      int renewals = 0;
      for (int i = 0; i < kills; i++) {
        try (DaemonProcess d = rig.startReady(); Kept kept = new Kept(d, "daemon-" + i)) {
          assertConsistent(rig, out, echo, "restart " + i + replay);
          Process renew = random.nextInt(3) < 2 ? rig.cliInBackground("renew", "web", "--force") : null;
          renewals += renew == null ? 0 : 1;
          Thread.sleep(random.nextInt(MAX_DELAY_MS));
          d.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS); // kill -9
          if (renew != null && !renew.waitFor(90, TimeUnit.SECONDS)) {
            renew.destroyForcibly();
            throw new AssertionError("renew --force hung after the daemon was killed" + replay);
          }
        }
      }
      flapping.set(false);
      flapper.join(10_000);

      try (DaemonProcess d = rig.startReady(); Kept kept = new Kept(d, "daemon-final")) {
        assertConsistent(rig, out, echo, "final restart" + replay);
        FaultRig.await("every alert delivery sent or held by a killed sender's lease" + replay, Duration.ofSeconds(90),
            () -> {
              try {
                for (JsonNode del : rig.json("alerts", "--json", "--limit", "100000")) {
                  String s = del.get("status").asText();
                  if (!s.equals("sent") && !s.equals("sending")) {
                    return false;
                  }
                }
                return true;
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
        JsonNode deliveries = rig.json("alerts", "--json", "--limit", "100000");
        Map<String, Integer> received = new HashMap<>();
        for (MimeMessage m : mail.getReceivedMessages()) {
          received.merge(m.getMessageID(), 1, Integer::sum);
        }
        int sent = 0;
        int held = 0;
        Set<String> sentIds = new HashSet<>();
        for (JsonNode del : deliveries) {
          if (del.get("status").asText().equals("sent")) {
            sent++;
            String id = del.get("messageId").asText();
            sentIds.add(id);
            assertTrue(received.containsKey(id), "delivery " + del.get("id") + " marked sent with " + id
                + " but the mail server never got it" + replay);
          } else {
            held++;
          }
        }
        Map<String, JsonNode> byMessageId = new HashMap<>();
        for (JsonNode del : deliveries) {
          if (del.hasNonNull("messageId")) {
            byMessageId.put(del.get("messageId").asText(), del);
          }
        }
        for (Map.Entry<String, Integer> e : received.entrySet()) {
          JsonNode del = byMessageId.get(e.getKey());
          // A mail whose server's answer to DATA never came in time is sent again (RFC 5321 6.1: a lost
          // reply duplicates; the retry keeps its Message-ID). Such a delivery says so: more attempts
          // than one, the last error a timeout. Any other duplicate is a fault.
          boolean lostReply = del != null && del.get("attempts").asInt() >= e.getValue()
              && del.hasNonNull("lastError") && del.get("lastError").asText().toLowerCase(java.util.Locale.ROOT)
                  .matches(".*(timed out|timeout).*");
          assertTrue(e.getValue() == 1 || lostReply, "Message-ID " + e.getKey() + " reached the mail server "
              + e.getValue() + " times" + replay + "; its delivery: " + del);
        }
        java.util.Set<String> unknown = new java.util.TreeSet<>(received.keySet());
        unknown.removeAll(sentIds);
        assertTrue(received.size() - sentIds.size() <= held, (received.size() - sentIds.size())
            + " mails the store does not know as sent, but only " + held + " deliveries were in flight" + replay
            + "; not known as sent: " + unknown + "; the ledger: " + deliveries);
        assertTrue(sent > 0, "no alert was delivered at all" + replay);

        JsonNode issued = rig.json("list", "--issued", "--json");
        Set<String> serials = new HashSet<>();
        for (JsonNode c : issued) {
          assertTrue(serials.add(c.get("serial").asText()), "serial " + c.get("serial") + " issued twice" + replay);
        }
        System.out.println("KillNineFaultIT: " + kills + " kills, " + renewals + " renewals started, "
            + serials.size() + " certificates issued, " + sent + " deliveries sent, " + held
            + " held by a killed sender's lease, " + received.size() + " mails received");
        d.signal("TERM");
        assertTrue(d.process().waitFor(20, TimeUnit.SECONDS), "daemon did not stop after TERM" + replay);
      }
    } finally {
      flapping.set(false);
      keepMail(mail);
      mail.stop();
    }
  }

  /** Where each daemon's output and the mail server's messages are kept, to read after a failure. */
  static final Path KEPT = Path.of("target", "KillNineFaultIT");

  /** Writes a daemon's output to {@link #KEPT} when its block ends, however it ends. */
  private record Kept(DaemonProcess d, String name) implements AutoCloseable {
    @Override
    public void close() {
      keep(name + ".log", String.join("\n", d.lines()) + "\n");
    }
  }

  /** Each message's headers that tell it apart, in the order the server received them. */
  private static void keepMail(GreenMail mail) {
    StringBuilder b = new StringBuilder();
    try {
      for (MimeMessage m : mail.getReceivedMessages()) {
        java.util.Enumeration<String> h = m.getAllHeaderLines();
        while (h.hasMoreElements()) {
          String line = h.nextElement();
          if (line.startsWith("Message-ID") || line.startsWith("Received") || line.startsWith("Date")
              || line.startsWith("Subject")) {
            b.append(line.replace("\r\n", " ")).append('\n');
          }
        }
        b.append('\n');
      }
    } catch (jakarta.mail.MessagingException e) {
      b.append("cannot read the messages: ").append(e).append('\n');
    }
    keep("mail.txt", b.toString());
  }

  /** Keeping is for reading later: it never hides the test's own failure. */
  private static void keep(String name, String text) {
    try {
      Files.createDirectories(KEPT);
      Files.writeString(KEPT.resolve(name), text);
    } catch (java.io.IOException e) {
      System.err.println("KillNineFaultIT: cannot keep " + name + ": " + e);
    }
  }

  /** managed/web/current, the outputs, the store and the listener all name one certificate, keys matching. */
  private static void assertConsistent(FaultRig rig, Path out, int echo, String when) throws Exception {
    Path current = rig.data.resolve("managed/web/current");
    String serial = rig.fileSerial(current.resolve("cert.pem"));
    rig.assertKeyMatches(current.resolve("fullchain.pem"), current.resolve("key.pem"));
    assertEquals(serial, rig.fileSerial(out.resolve("web.crt")), when + ": web.crt is not the current generation");
    assertEquals(serial, rig.fileSerial(out.resolve("web.pem")), when + ": web.pem is not the current generation");
    rig.assertKeyMatches(out.resolve("web.crt"), out.resolve("web.key"));
    DaemonProcess.Result st = rig.cli("explain", "web", "--json");
    assertEquals(0, st.exitCode(), when + ": explain: " + st.err());
    assertEquals(serial, Json.mapper().readTree(st.out()).at("/serial").asText(),
        when + ": the store's certificate in force is not managed/web/current");
    assertEquals(serial, rig.servedSerial(echo), when + ": the echo listener does not serve managed/web/current");
    assertTrue(Files.isRegularFile(out.resolve("web.key")), when + ": web.key missing");
  }
}
