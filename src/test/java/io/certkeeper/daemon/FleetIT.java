package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.certkeeper.testing.OpenSsl;
import io.certkeeper.testing.PostgresCluster;
import io.certkeeper.util.Jitter;
import io.certkeeper.util.Json;
import jakarta.mail.internet.MimeMessage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fleet mode with real processes: three daemons (their own data directories and node names) on one
 * PostgreSQL database, {@value #ENDPOINTS} endpoints every 2 s on loopback {@code openssl s_server}s
 * with distinct SNI names, and two endpoints that refuse connections (so that alerts are mailed).
 * Over a minute every endpoint is probed once per period and never twice; then the node that
 * dispatched the newest probe slot is killed with {@code kill -9}, and within 30 s the other two
 * keep every endpoint on schedule; each alert reached the mail server once; {@code status} on a
 * live node shows all three nodes, the killed one crashed.
 */
@Tag("reliability")
class FleetIT {
  static final int ENDPOINTS = 300;
  static final Duration PERIOD = Duration.ofSeconds(2);
  static final Duration START = Duration.ofSeconds(120);
  static final Map<String, String> ENV = Map.of("CA_PASS", "a long enough CA passphrase");

  @TempDir Path dir;

  @Test
  void threeNodesProbeEachEndpointOncePerPeriodAndSurviveLosingOne() throws Exception {
    PostgresCluster.Database db = PostgresCluster.get().newDatabase();
    Map<String, String> env = new HashMap<>(ENV);
    env.put("PG_PASS", db.password());
    int smtp = FaultRig.freePort();
    GreenMail mail = new GreenMail(new ServerSetup(smtp, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    mail.start();
    List<Process> servers = new ArrayList<>();
    Map<String, DaemonProcess> nodes = new TreeMap<>();
    try {
      OpenSsl.run(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
          "-keyout", "fleet.key", "-out", "fleet.pem", "-subj", "/CN=fleet.test", "-days", "30",
          "-addext", "subjectAltName=DNS:*.fleet.test", "-addext", "extendedKeyUsage=serverAuth");
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        int port = FaultRig.freePort();
        servers.add(new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-quiet", "-cert",
            dir.resolve("fleet.pem").toString(), "-key", dir.resolve("fleet.key").toString())
            .redirectErrorStream(true).redirectOutput(new File("/dev/null"))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start());
        ports.add(port);
      }
      int refused = FaultRig.freePort();
      StringBuilder endpoints = new StringBuilder("endpoints:\n");
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < ENDPOINTS; i++) {
        int port = ports.get(i % 2);
        endpoints.append("  - {target: '127.0.0.1:").append(port).append("', servername: e").append(i)
            .append(".fleet.test}\n");
        ids.add("127.0.0.1:" + port + ";sni=e" + i + ".fleet.test");
      }
      List<String> failing = List.of("127.0.0.1:" + refused + ";sni=down1.fleet.test",
          "127.0.0.1:" + refused + ";sni=down2.fleet.test");
      for (int i = 1; i <= 2; i++) {
        endpoints.append("  - {target: '127.0.0.1:").append(refused).append("', servername: down").append(i)
            .append(".fleet.test}\n");
      }
      String common = "store:\n  url: '" + db.url() + "'\n  user: " + db.user() + "\n  password: env:PG_PASS\n"
          + "defaults:\n  every: 2s\n  timeout: 2s\n  ca-files: [" + dir.resolve("fleet.pem") + "]\n"
          + "scheduler:\n  alert-evaluation: 1s\n"
          + "alerts:\n  recipients: [ops@example.test]\n  failing-after: 1\n"
          + "smtp:\n  host: 127.0.0.1\n  port: " + smtp + "\n  security: none\n  from: certkeeper@example.test\n"
          + endpoints;
      Map<String, Path> configs = new TreeMap<>();
      for (String node : List.of("node-a", "node-b", "node-c")) {
        Path cfg = dir.resolve(node + ".yaml");
        Files.writeString(cfg, "node: " + node + "\n" + common);
        configs.put(node, cfg);
      }

      // a command refuses the new database; migrate creates the schema once for every node
      DaemonProcess.Result refusedStatus = DaemonProcess.cli(env, Duration.ofSeconds(60), configs.get("node-a"),
          dir.resolve("data-a"), "status");
      assertTrue(refusedStatus.err().contains("has no schema yet") && refusedStatus.err().contains("certkeeper migrate"),
          refusedStatus.err());
      DaemonProcess.Result migrated = DaemonProcess.cli(env, Duration.ofSeconds(60), configs.get("node-a"),
          dir.resolve("data-a"), "migrate");
      assertEquals(0, migrated.exitCode(), migrated.err());

      for (Map.Entry<String, Path> e : configs.entrySet()) {
        nodes.put(e.getKey(), DaemonProcess.start(env, "--config", e.getValue().toString(), "--data-dir",
            dir.resolve("data-" + e.getKey()).toString(), "daemon"));
      }
      for (DaemonProcess d : nodes.values()) {
        d.awaitLine(l -> l.endsWith("Daemon - ready"), START);
      }

      try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password())) {
        // let the start-up catch-up settle, then watch a minute of steady probing
        Thread.sleep(10_000);
        Instant from = now(c);
        Thread.sleep(60_000);
        Instant to = now(c);
        Coverage steady = coverage(c, ids, from, to);
        System.out.println("FleetIT: steady minute " + steady);
        assertEquals(0, steady.doubles(), "no period of any endpoint probed twice: " + steady + "\n"
            + doubled(c, ids, from, to));
        assertTrue(steady.worstShare() >= 0.9, "every endpoint probed in (nearly) every period: " + steady);
        assertTrue(steady.nodes().size() >= 2, "the work spread across the nodes: " + steady.nodes());

        // kill -9 the node that dispatched the newest slot
        String victim = slotNode(c);
        DaemonProcess killed = nodes.get(victim);
        Instant kill = now(c);
        new ProcessBuilder("kill", "-9", Long.toString(killed.pid())).start().waitFor();
        killed.process().waitFor();

        Thread.sleep(30_000);
        Instant after = now(c);
        Thread.sleep(20_000);
        Coverage recovered = coverage(c, ids, after, now(c));
        System.out.println("FleetIT: killed " + victim + "; 30 s to 50 s after " + recovered);
        assertTrue(recovered.worstShare() >= 0.9, "30 s after the kill every endpoint is on schedule: " + recovered);
        assertTrue(!recovered.nodes().containsKey(victim), "the dead node probes nothing: " + recovered.nodes());
        Coverage whole = coverage(c, ids, kill, now(c));
        System.out.println("FleetIT: from the kill on " + whole);
        assertTrue(whole.worstDoubles() <= 1, "at most one re-run per endpoint around the kill: " + whole);

        // status on a live node shows all three, the killed one crashed
        String live = nodes.keySet().stream().filter(n -> !n.equals(victim)).findFirst().orElseThrow();
        DaemonProcess.Result status = DaemonProcess.cli(env, Duration.ofSeconds(60), configs.get(live),
            dir.resolve("data-" + live), "status", "--json");
        assertEquals(0, status.exitCode(), status.err());
        JsonNode st = Json.mapper().readTree(status.out());
        Map<String, String> states = new TreeMap<>();
        for (JsonNode n : st.path("nodes")) {
          states.put(n.path("name").asText(), n.path("state").asText());
        }
        Map<String, String> expected = new TreeMap<>();
        for (String n : nodes.keySet()) {
          expected.put(n, n.equals(victim) ? "crashed" : "running");
        }
        assertEquals(expected, states, status.out());
      }

      // each failing endpoint's alert reached the mail server once, whichever node sent it
      Map<String, Integer> perEndpoint = new TreeMap<>();
      Map<String, Integer> perMessageId = new HashMap<>();
      for (MimeMessage m : mail.getReceivedMessages()) {
        perMessageId.merge(m.getMessageID(), 1, Integer::sum);
        String text = m.getSubject() + "\n" + body(m);
        for (String f : failing) {
          if (text.contains(f) || text.contains(f.replace(";sni=", " ("))) {
            perEndpoint.merge(f, 1, Integer::sum);
          }
        }
      }
      assertTrue(perMessageId.values().stream().allMatch(n -> n == 1), perMessageId.toString());
      assertEquals(Map.of(failing.get(0), 1, failing.get(1), 1), perEndpoint, subjects(mail));
    } finally {
      for (DaemonProcess d : nodes.values()) {
        d.close();
      }
      for (Process p : servers) {
        p.destroy();
      }
      mail.stop();
    }
  }

  /** Probes per endpoint and period in a window, from the store. */
  record Coverage(int endpoints, int periods, double worstShare, int doubles, int worstDoubles,
      Map<String, Integer> nodes) {}

  private static Coverage coverage(Connection c, List<String> ids, Instant from, Instant to) throws Exception {
    Map<String, Map<Long, Integer>> perPeriod = new HashMap<>();
    Map<String, Integer> byNode = new TreeMap<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT endpoint_id, probed_at, node, due_at FROM probe_results WHERE probed_at >= ? AND probed_at < ?")) {
      ps.setObject(1, java.time.OffsetDateTime.ofInstant(from, java.time.ZoneOffset.UTC));
      ps.setObject(2, java.time.OffsetDateTime.ofInstant(to, java.time.ZoneOffset.UTC));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String id = rs.getString(1);
          // a probe serves the period of its due time: on a loaded machine one may start or end late,
          // past the end of its period, and still be the only probe of its due time
          java.time.OffsetDateTime due = rs.getObject(4, java.time.OffsetDateTime.class);
          assertTrue(due != null, id + ": a scheduled probe's result has its due time");
          Instant at = due.toInstant();
          long offset = Jitter.offset(id, PERIOD).toMillis();
          long period = Math.floorDiv(at.toEpochMilli() - offset + PERIOD.toMillis() / 2, PERIOD.toMillis());
          perPeriod.computeIfAbsent(id, k -> new HashMap<>()).merge(period, 1, Integer::sum);
          byNode.merge(String.valueOf(rs.getString(3)), 1, Integer::sum);
        }
      }
    }
    // whole periods inside the window only: the first and last may be cut
    long periods = Math.max(1, Duration.between(from, to).toMillis() / PERIOD.toMillis() - 2);
    double worst = 1.0;
    int doubles = 0;
    int worstDoubles = 0;
    for (String id : ids) {
      Map<Long, Integer> p = perPeriod.getOrDefault(id, Map.of());
      worst = Math.min(worst, Math.min(1.0, p.size() / (double) periods));
      int d = (int) p.values().stream().filter(n -> n > 1).count();
      doubles += d;
      worstDoubles = Math.max(worstDoubles, d);
    }
    return new Coverage(ids.size(), (int) periods, worst, doubles, worstDoubles, byNode);
  }

  /** The probes of up to 3 endpoints probed twice in a period: when, by whom, how long each took. */
  private static String doubled(Connection c, List<String> ids, Instant from, Instant to) throws Exception {
    StringBuilder out = new StringBuilder();
    int shown = 0;
    for (String id : ids) {
      List<String> rows = new ArrayList<>();
      Map<Long, Integer> perPeriod = new HashMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT due_at, node, total_ms, status, probed_at FROM probe_results"
          + " WHERE endpoint_id = ? AND probed_at >= ? AND probed_at < ? ORDER BY probed_at")) {
        ps.setString(1, id);
        ps.setObject(2, java.time.OffsetDateTime.ofInstant(from, java.time.ZoneOffset.UTC));
        ps.setObject(3, java.time.OffsetDateTime.ofInstant(to, java.time.ZoneOffset.UTC));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            Instant at = rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
            long period = Math.floorDiv(at.toEpochMilli() - Jitter.offset(id, PERIOD).toMillis() + PERIOD.toMillis() / 2,
                PERIOD.toMillis());
            perPeriod.merge(period, 1, Integer::sum);
            rows.add(period + " due " + at + " ended " + rs.getObject(5, java.time.OffsetDateTime.class).toInstant() + " "
                + rs.getString(2) + " " + rs.getLong(3) + "ms " + rs.getString(4));
          }
        }
      }
      if (perPeriod.values().stream().anyMatch(n -> n > 1)) {
        out.append(id).append(" (due at +").append(Jitter.offset(id, PERIOD).toMillis()).append(" ms):\n  ")
            .append(String.join("\n  ", rows)).append('\n');
        if (++shown == 3) {
          break;
        }
      }
    }
    return out.toString();
  }

  private static Instant now(Connection c) throws Exception {
    try (ResultSet rs = c.createStatement().executeQuery("SELECT CURRENT_TIMESTAMP")) {
      rs.next();
      return rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
    }
  }

  private static String slotNode(Connection c) throws Exception {
    try (ResultSet rs = c.createStatement().executeQuery("SELECT node FROM probe_slots ORDER BY claimed_at DESC LIMIT 1")) {
      assertTrue(rs.next(), "a probe slot was claimed");
      return rs.getString(1);
    }
  }

  private static String body(MimeMessage m) {
    try {
      Object content = m.getContent();
      if (content instanceof jakarta.mail.Multipart mp) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < mp.getCount(); i++) {
          Object part = mp.getBodyPart(i).getContent();
          sb.append(part instanceof String s ? s : "").append('\n');
        }
        return sb.toString();
      }
      return String.valueOf(content);
    } catch (Exception e) {
      return "";
    }
  }

  private static String subjects(GreenMail mail) {
    List<String> out = new ArrayList<>();
    for (MimeMessage m : mail.getReceivedMessages()) {
      try {
        out.add(m.getSubject());
      } catch (jakarta.mail.MessagingException e) {
        out.add("?");
      }
    }
    return out.toString();
  }
}
