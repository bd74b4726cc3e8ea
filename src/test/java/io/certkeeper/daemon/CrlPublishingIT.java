package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.testing.OpenSsl;
import io.certkeeper.util.Json;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CRL publishing from several CLI processes at once, all connected to the store a running daemon
 * serves: the CRL on disk is the highest-numbered one and lists every revocation, judged by openssl.
 */
@Tag("security")
class CrlPublishingIT {
  static final int REVOKES = 8;

  @TempDir Path dir;

  private String[] args(String... command) {
    return DaemonProcess.in(dir, command);
  }

  private DaemonProcess.Result cli(String... command) throws Exception {
    return DaemonProcess.cliOk(dir, command);
  }

  @Test
  void concurrentRevokesLeaveTheHighestCrlOnDiskWithEverySerial() throws Exception {
    Files.writeString(dir.resolve("pass"), "a long enough CA passphrase\n");
    Files.writeString(dir.resolve("certkeeper.yaml"), "ca:\n  passphrase: 'file:" + dir.resolve("pass") + "'\n");
    cli("ca", "init", "--name", "Concurrency CA", "--intermediate");
    List<String> serials = new ArrayList<>();
    for (int i = 0; i < REVOKES; i++) {
      DaemonProcess.Result r = cli("issue", "--cn", "c" + i + ".test.example", "--out-dir",
          dir.resolve("c" + i).toString(), "--json");
      serials.add(Json.mapper().readTree(r.out()).get("serial").asText());
    }

    // The daemon holds the store (H2's automatic server); each revoke is a process connected to it.
    ExecutorService pool = Executors.newFixedThreadPool(REVOKES);
    try (DaemonProcess d = DaemonProcess.start(java.util.Map.of(), args("daemon"))) {
      d.awaitLine(l -> l.endsWith("Daemon - ready"), java.time.Duration.ofSeconds(60));
      List<Future<DaemonProcess.Result>> runs = new ArrayList<>();
      for (String s : serials) {
        runs.add(pool.submit(() -> DaemonProcess.cli(args("revoke", s))));
      }
      for (int i = 0; i < REVOKES; i++) {
        DaemonProcess.Result r = runs.get(i).get();
        assertEquals(0, r.exitCode(), "revoke " + serials.get(i) + ": " + r.err() + r.out());
      }
    } finally {
      pool.shutdownNow();
    }

    JsonNode shown = Json.mapper().readTree(cli("ca", "show", "--json").out());
    long storeNumber = shown.at("/status/crlNumber").asLong();
    Path der = dir.resolve("data/ca/crl.der");
    String text = OpenSsl.run(dir, "crl", "-inform", "DER", "-in", der.toString(), "-noout", "-text")
        .requireSuccess().output();
    Matcher m = Pattern.compile("X509v3 CRL Number:\\s*\\n\\s*(\\d+)").matcher(text);
    assertTrue(m.find(), text);
    assertEquals(storeNumber, Long.parseLong(m.group(1)), "the store's CRL number is the one on disk\n" + text);
    assertEquals(1 + REVOKES, storeNumber, "ca init published CRL 1, each revoke one more");
    Set<String> listed = new HashSet<>();
    Matcher entry = Pattern.compile("Serial Number: ([0-9A-Fa-f]+)").matcher(text);
    while (entry.find()) {
      listed.add(new BigInteger(entry.group(1), 16).toString(16));
    }
    assertEquals(new HashSet<>(serials), listed, "every revoked serial, and only those, on the CRL on disk\n" + text);
    String pem = Files.readString(dir.resolve("data/ca/crl.pem"));
    String pemText = OpenSsl.run(dir, "crl", "-in", dir.resolve("data/ca/crl.pem").toString(), "-noout", "-text")
        .requireSuccess().output();
    assertEquals(text, pemText, "crl.pem is the same CRL as crl.der: " + pem);
  }
}
