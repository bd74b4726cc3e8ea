package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.testing.ExternalTool;
import io.certkeeper.testing.PostgresCluster;
import io.certkeeper.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Managed certificates and listeners per node, with real processes: two daemons on one PostgreSQL
 * database read one configuration file (but for {@code node:}) that declares a managed certificate
 * {@code web} for every node, one for node-a only, and a listener serving {@code web} on each
 * node. Each node issues and serves its own {@code web}; a forced renewal on one node changes what
 * that node serves and nothing on the other; {@code status} on either node shows what each holds.
 */
class FleetManagedIT {
  static final Duration START = Duration.ofSeconds(90);
  static final Duration CLI = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void eachNodeHoldsItsOwnCertificateOfOneName() throws Exception {
    PostgresCluster.Database db = PostgresCluster.get().newDatabase();
    Map<String, String> env = new HashMap<>(Map.of("CA_PASS", "a long enough CA passphrase"));
    env.put("PG_PASS", db.password());
    int portA = FaultRig.freePort();
    int portB = FaultRig.freePort();
    String common = "store:\n  url: '" + db.url() + "'\n  user: " + db.user() + "\n  password: env:PG_PASS\n"
        + "ca:\n  passphrase: env:CA_PASS\n"
        + "certificates:\n"
        + "  - {name: web, common-name: localhost, validity: 30d}\n"
        + "  - {name: only-a, common-name: a.localhost, validity: 30d, nodes: [node-a]}\n"
        + "listeners:\n"
        + "  - {name: echo, bind: '127.0.0.1:" + portA + "', role: echo, certificate: {managed: web}, nodes: [node-a]}\n"
        + "  - {name: echo, bind: '127.0.0.1:" + portB + "', role: echo, certificate: {managed: web}, nodes: [node-b]}\n";
    Path cfgA = dir.resolve("node-a.yaml");
    Path cfgB = dir.resolve("node-b.yaml");
    Files.writeString(cfgA, "node: node-a\n" + common);
    Files.writeString(cfgB, "node: node-b\n" + common);
    Path dataA = dir.resolve("data-a");
    Path dataB = dir.resolve("data-b");

    assertOk(DaemonProcess.cli(env, CLI, cfgA, dataA, "migrate"));
    assertOk(DaemonProcess.cli(env, CLI, cfgA, dataA, "ca", "init", "--name", "Fleet CA"));
    // the CA on every node that signs: a copy of its directory
    Files.createDirectories(dataB);
    assertEquals(0, new ProcessBuilder("cp", "-a", dataA.resolve("ca").toString(), dataB.resolve("ca").toString())
        .inheritIO().start().waitFor());

    List<DaemonProcess> daemons = new ArrayList<>();
    try {
      daemons.add(DaemonProcess.start(env, "--config", cfgA.toString(), "--data-dir", dataA.toString(), "daemon"));
      daemons.add(DaemonProcess.start(env, "--config", cfgB.toString(), "--data-dir", dataB.toString(), "daemon"));
      for (DaemonProcess d : daemons) {
        d.awaitLine(l -> l.endsWith("Daemon - ready"), START);
      }
      String servedA = servedSerial(portA);
      String servedB = servedSerial(portB);
      assertNotEquals(servedA, servedB, "each node issued its own web");
      assertEquals(servedA, explainedSerial(env, cfgA, dataA, "web"));
      assertEquals(servedB, explainedSerial(env, cfgB, dataB, "web"));

      // status on node-b: what every node holds, and node-b's own managed certificate and listener
      DaemonProcess.Result st = DaemonProcess.cli(env, CLI, cfgB, dataB, "status", "--json");
      assertOk(st);
      JsonNode status = Json.mapper().readTree(st.out());
      Map<String, String> held = new HashMap<>();
      for (JsonNode n : status.get("nodes")) {
        held.put(n.get("name").asText(), n.get("managed") + " " + n.get("listeners"));
      }
      assertEquals(Map.of("node-a", "[\"only-a\",\"web\"] [\"echo\"]", "node-b", "[\"web\"] [\"echo\"]"), held,
          st.out());
      assertEquals(1, status.get("managed").size(), st.out());
      assertEquals(servedB, status.at("/managed/0/serial").asText());
      assertEquals("127.0.0.1:" + portB, status.at("/listeners/0/bind").asText());
      DaemonProcess.Result text = DaemonProcess.cli(env, CLI, cfgB, dataB, "status");
      assertTrue(text.out().contains("holds 2 managed certificates: only-a, web; 1 listener: echo"), text.out());

      // a forced renewal on node-a: node-a serves the new one, node-b keeps its own
      assertOk(DaemonProcess.cli(env, CLI, cfgA, dataA, "renew", "web", "--force"));
      String renewedA = explainedSerial(env, cfgA, dataA, "web");
      assertNotEquals(servedA, renewedA);
      Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
      while (!servedSerial(portA).equals(renewedA) && Instant.now().isBefore(deadline)) {
        Thread.sleep(100);
      }
      assertEquals(renewedA, servedSerial(portA), "node-a's listener serves node-a's renewal");
      assertEquals(servedB, servedSerial(portB), "node-b's listener is untouched");
      assertEquals(servedB, explainedSerial(env, cfgB, dataB, "web"));

      // a revocation on node-a (which signs the CRL there) reaches node-b's CRL files through the store
      assertOk(DaemonProcess.cli(env, CLI, cfgA, dataA, "revoke", servedA, "--reason", "superseded"));
      Path crlB = dataB.resolve("ca/crl.pem");
      deadline = Instant.now().plus(Duration.ofSeconds(60));
      while (!crlLists(crlB, servedA) && Instant.now().isBefore(deadline)) {
        Thread.sleep(200);
      }
      assertTrue(crlLists(crlB, servedA), "node-b's CRL lists the certificate node-a revoked");
      assertTrue(daemons.get(1).lines().stream().anyMatch(l -> l.contains("local CA - CRL ")), "node-b says it wrote the store's CRL");

      // node-b does not hold only-a, and says who does
      DaemonProcess.Result refused = DaemonProcess.cli(env, CLI, cfgB, dataB, "renew", "only-a", "--force");
      assertNotEquals(0, refused.exitCode());
      assertTrue(refused.err().contains("managed certificate 'only-a' is held by node node-a, not by this node"
          + " (node-b)"), refused.err());
    } finally {
      for (DaemonProcess d : daemons) {
        d.close();
      }
    }
  }

  /** Whether the CRL in {@code pem} parses and lists {@code serial} (lowercase hex). */
  private boolean crlLists(Path pem, String serial) {
    if (!Files.exists(pem)) {
      return false;
    }
    ExternalTool.Result r = ExternalTool.run(dir, "openssl", "crl", "-in", pem.toString(), "-noout", "-text");
    return r.ok() && java.util.regex.Pattern.compile("serial number: 0*" + serial + "\\s")
        .matcher(r.output().toLowerCase(Locale.ROOT)).find();
  }

  private static void assertOk(DaemonProcess.Result r) {
    assertEquals(0, r.exitCode(), r.out() + r.err());
  }

  private static String explainedSerial(Map<String, String> env, Path cfg, Path data, String name) throws Exception {
    DaemonProcess.Result r = DaemonProcess.cli(env, CLI, cfg, data, "explain", name, "--json");
    assertOk(r);
    return Json.mapper().readTree(r.out()).at("/serial").asText();
  }

  private String servedSerial(int port) {
    ExternalTool.Result r = ExternalTool.run(dir, "/bin/sh", "-c",
        "openssl s_client -connect 127.0.0.1:" + port + " -servername localhost </dev/null 2>/dev/null"
            + " | openssl x509 -noout -serial");
    assertTrue(r.ok(), r.output());
    return r.output().trim().replaceFirst("^serial=", "").toLowerCase(Locale.ROOT).replaceFirst("^0+", "");
  }
}
