package io.certkeeper.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certkeeper.alert.AlertEvaluator;
import io.certkeeper.config.AlertsConfig;
import io.certkeeper.config.EndpointCodec;
import io.certkeeper.config.EndpointConfig;
import io.certkeeper.config.ProbeSchedule;
import io.certkeeper.store.CertificateRepository;
import io.certkeeper.store.ProbeResultRepository;
import io.certkeeper.store.Store;
import io.certkeeper.util.HostPort;
import io.certkeeper.util.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * The store at 10k / 100k / 1M certificates (synthetic rows inserted with batched JDBC into a fresh
 * H2 store opened through {@link Store#open}, so the schema and indexes are the real ones), with one
 * endpoint per 100 certificates: the queries behind {@code list --expiring-within 30d}, {@code
 * status} and "endpoints with problems", and the alert evaluation pass, in ms; the file size.
 */
public final class InventoryScale {
  private static final Instant NOW = Instant.now();
  /** A real EC P-256 leaf in PEM is about 750 characters; the column holds one per row. */
  private static final String PEM = "-----BEGIN CERTIFICATE-----\n"
      + ("MIIB" + "x".repeat(60) + "\n").repeat(11) + "-----END CERTIFICATE-----\n";

  private InventoryScale() {}

  public static void main(String[] args) throws Exception {
    boolean quick = Bench.quick(args);
    List<Integer> sizes = new ArrayList<>();
    for (String a : args) {
      if (a.matches("\\d+")) {
        sizes.add(Integer.parseInt(a));
      }
    }
    if (sizes.isEmpty()) {
      sizes = quick ? List.of(10_000, 100_000) : List.of(10_000, 100_000, 1_000_000);
    }
    ObjectNode out = Bench.section("inventory", quick);
    out.put("data", "certificates: not_after uniform over [now-180d, now+400d] (about 31% expired, 5% expiring"
        + " within 30 days); one endpoint per 100 certificates, 10% of them with a problem, one probe result each");
    ObjectNode sizesNode = out.putObject("sizes");
    for (int n : sizes) {
      sizesNode.set(String.valueOf(n), measure(n));
    }
    Bench.save(out);
  }

  private static ObjectNode measure(int n) throws Exception {
    Path work = Files.createTempDirectory("certkeeper-bench-inventory");
    ObjectNode o = Json.mapper().createObjectNode();
    int endpoints = Math.max(10, n / 100);
    // H2 hands back the previous result of a cached identical query on unchanged tables; a daemon's tables
    // change all the time, so the benchmark turns the statement cache off to time the real work.
    String url = Store.h2Url(work) + ";QUERY_CACHE_SIZE=0";
    try (Store store = Store.open(url, Optional.empty(), Optional.empty(), 4)) {
      long t0 = System.nanoTime();
      List<String> shas = fill(store, n, endpoints);
      o.put("certificates", n);
      o.put("endpoints", endpoints);
      o.put("fill_s", Bench.round((System.nanoTime() - t0) / 1e9, 1));
      System.out.println(n + " rows in " + o.get("fill_s") + " s");
      CertificateRepository certs = new CertificateRepository(store);
      ProbeResultRepository probes = new ProbeResultRepository(store);
      Instant soon = NOW.plus(Duration.ofDays(30));

      int[] rows = new int[1];
      o.put("list_expiring_30d_ms", time(() -> rows[0] = certs.list(Optional.empty(), Optional.of(soon), 1000).size()));
      o.put("list_expiring_30d_rows", rows[0]);
      o.put("expiring_30d_count_ms", time(() -> rows[0] = countExpiring(store, soon)));
      o.put("expiring_30d_count", rows[0]);
      o.put("status_summary_ms", time(() -> certs.summary(NOW, soon).total()));
      o.put("endpoints_with_problems_ms", time(() -> rows[0] = (int) probes.states().stream()
          .filter(s -> !s.status().equals("ok")).count()));
      o.put("endpoints_with_problems", rows[0]);
      o.put("endpoints_with_problems_sql_ms", time(() -> problemsSql(store)));
      o.put("certificate_by_sha256_ms", time(() -> certs.find(shas.get(shas.size() / 2)).isPresent()));

      AlertEvaluator evaluator = AlertEvaluator.create(store, () -> new AlertsConfig(List.of("ops@bench.example"),
          AlertsConfig.DEFAULT_THRESHOLDS, AlertsConfig.DEFAULT_FAILING_AFTER, List.of(), Map.of()),
          Clock.systemUTC());
      long a0 = System.nanoTime();
      AlertEvaluator.Result first = evaluator.evaluate();
      o.put("alert_pass_first_ms", Bench.round((System.nanoTime() - a0) / 1e6, 1));
      o.put("alert_pass_first_events", first.alerted() + first.suppressed());
      o.put("alert_pass_ms", time(() -> evaluator.evaluate().alerted()));
      o.put("alert_pass_ms_per_endpoint", Bench.round(o.get("alert_pass_ms").asDouble() / endpoints, 3));
      try (Connection c = store.dataSource().getConnection(); var st = c.createStatement()) {
        st.execute("CHECKPOINT SYNC");
      }
      o.put("db_mb", Bench.round(Files.size(work.resolve("certkeeper.mv.db")) / 1048576.0, 1));
      long s0 = System.nanoTime();
      try (Connection c = store.dataSource().getConnection(); var st = c.createStatement()) {
        st.execute("SHUTDOWN COMPACT");
      } catch (java.sql.SQLException e) {
        // the pool's connection is closed by the shutdown
      }
      o.put("compact_s", Bench.round((System.nanoTime() - s0) / 1e9, 1));
      o.put("db_mb_compacted", Bench.round(Files.size(work.resolve("certkeeper.mv.db")) / 1048576.0, 1));
      System.out.println(n + " " + o);
    } finally {
      Bench.deleteTree(work);
    }
    return o;
  }

  /** Median of 5 runs after one warm-up, in ms. */
  private static double time(Callable<Object> query) throws Exception {
    query.call();
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      long t = System.nanoTime();
      query.call();
      ms.add((System.nanoTime() - t) / 1e6);
    }
    return Bench.round(Bench.median(ms), 2);
  }

  private static int countExpiring(Store store, Instant soon) throws Exception {
    try (Connection c = store.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT COUNT(*) FROM certificates WHERE not_after > ? AND not_after <= ?")) {
      ps.setObject(1, at(NOW));
      ps.setObject(2, at(soon));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private static int problemsSql(Store store) throws Exception {
    try (Connection c = store.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT endpoint_id, status, problems, message FROM endpoint_state WHERE status <> 'ok'");
        ResultSet rs = ps.executeQuery()) {
      int k = 0;
      while (rs.next()) {
        k++;
      }
      return k;
    }
  }

  private static OffsetDateTime at(Instant i) {
    return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
  }

  static List<String> fill(Store store, int n, int endpoints) throws Exception {
    Random random = new Random(42);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    HexFormat hex = HexFormat.of();
    List<String> shas = new ArrayList<>(n);
    List<Instant> notAfters = new ArrayList<>(n);
    try (Connection c = store.dataSource().getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO certificates (sha256, subject, issuer, serial, not_before, not_after, key_algorithm,"
              + " key_size, signature_algorithm, sans, spki_sha256, is_ca, pem, source, first_seen, last_seen)"
              + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (int i = 0; i < n; i++) {
          String h = hex.formatHex(sha.digest(("cert" + i).getBytes(StandardCharsets.US_ASCII)));
          Instant notAfter = NOW.plusSeconds((long) ((random.nextDouble() * 580 - 180) * 86_400));
          shas.add(h);
          notAfters.add(notAfter);
          int k = 1;
          ps.setString(k++, h);
          ps.setString(k++, "CN=h" + i + ".bench.example,O=Bench");
          ps.setString(k++, "CN=Bench Issuing CA " + (i % 7) + ",O=Bench");
          ps.setString(k++, Long.toHexString(random.nextLong() & Long.MAX_VALUE));
          ps.setObject(k++, at(notAfter.minus(Duration.ofDays(90))));
          ps.setObject(k++, at(notAfter));
          ps.setString(k++, "EC");
          ps.setInt(k++, 256);
          ps.setString(k++, "SHA256withECDSA");
          ps.setString(k++, "[\"dns:h" + i + ".bench.example\"]");
          ps.setString(k++, h.substring(8) + "00000000");
          ps.setBoolean(k++, false);
          ps.setString(k++, PEM);
          ps.setString(k++, i % 5 == 0 ? "issued" : "observed");
          ps.setObject(k++, at(notAfter.minus(Duration.ofDays(89))));
          ps.setObject(k++, at(NOW.minus(Duration.ofMinutes(random.nextInt(1000)))));
          ps.addBatch();
          if (i % 50_000 == 49_999) {
            ps.executeBatch();
            c.commit();
          }
        }
        ps.executeBatch();
        c.commit();
      }
      // The bulk fill bypasses CertificateRepository: its per-day counts are made here, as the
      // migration that introduced them does.
      try (Statement st = c.createStatement()) {
        st.executeUpdate("DELETE FROM certificate_counts");
        st.executeUpdate("INSERT INTO certificate_counts (source, not_after_day, n)"
            + " SELECT source, CAST(FLOOR(EXTRACT(EPOCH FROM not_after) / 86400) AS BIGINT), COUNT(*)"
            + " FROM certificates GROUP BY source, CAST(FLOOR(EXTRACT(EPOCH FROM not_after) / 86400) AS BIGINT)");
      }
      c.commit();
      String endpointSql = "INSERT INTO endpoints (id, target, origin, group_name, spec, created_at, updated_at)"
          + " VALUES (?, ?, 'config', NULL, ?, ?, ?)";
      String resultSql = "INSERT INTO probe_results (id, endpoint_id, probed_at, status, problems, message, address,"
          + " protocol, cipher, leaf_sha256, chain, valid_path, path_not_after, ocsp, connect_ms, handshake_ms,"
          + " total_ms) VALUES (?, ?, ?, ?, ?, ?, '10.0.0.1:443', 'TLSv1.3', 'TLS_AES_128_GCM_SHA256', ?, ?, ?, ?,"
          + " 'none', 1, 3, 5)";
      String stateSql = "INSERT INTO endpoint_state (endpoint_id, last_probe_at, last_result_id, status, problems,"
          + " message, leaf_sha256, leaf_not_after, consecutive_failures) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
      try (PreparedStatement pe = c.prepareStatement(endpointSql);
          PreparedStatement pr = c.prepareStatement(resultSql);
          PreparedStatement pst = c.prepareStatement(stateSql)) {
        for (int i = 0; i < endpoints; i++) {
          HostPort hp = new HostPort("h" + i + ".bench.example", 443);
          String id = EndpointConfig.idFor(hp, Optional.empty(), Optional.empty());
          EndpointConfig e = new EndpointConfig(id, hp, Optional.empty(), Optional.empty(), Optional.empty(),
              List.of(), ProbeSchedule.every(Duration.ofMinutes(5)), EndpointConfig.DEFAULT_WARNING,
              EndpointConfig.DEFAULT_CRITICAL, EndpointConfig.DEFAULT_TIMEOUT, Map.of(), List.of(), Optional.empty());
          // The leaf of endpoint i is one of the certificates still valid: pick by stepping.
          int leaf = (i * 100) % n;
          while (notAfters.get(leaf).isBefore(NOW)) {
            leaf = (leaf + 1) % n;
          }
          Instant leafNotAfter = notAfters.get(leaf);
          boolean expiring = leafNotAfter.isBefore(NOW.plus(Duration.ofDays(30)));
          boolean failing = !expiring && i % 10 == 3;
          String status = expiring ? "expiring" : failing ? "refused" : "ok";
          String problems = status.equals("ok") ? "[]" : "[\"" + status + "\"]";
          pe.setString(1, id);
          pe.setString(2, hp.toString());
          pe.setString(3, EndpointCodec.toJson(e));
          pe.setObject(4, at(NOW.minus(Duration.ofDays(30))));
          pe.setObject(5, at(NOW.minus(Duration.ofDays(30))));
          pe.addBatch();
          long resultId = i + 1;
          pr.setLong(1, resultId);
          pr.setString(2, id);
          pr.setObject(3, at(NOW.minus(Duration.ofMinutes(2))));
          pr.setString(4, status);
          pr.setString(5, problems);
          pr.setString(6, id + " serves CN=h" + leaf + ".bench.example; " + status);
          pr.setString(7, failing ? null : shas.get(leaf));
          pr.setString(8, failing ? "[]" : "[\"" + shas.get(leaf) + "\"]");
          pr.setBoolean(9, !failing);
          pr.setObject(10, failing ? null : at(leafNotAfter));
          pr.addBatch();
          pst.setString(1, id);
          pst.setObject(2, at(NOW.minus(Duration.ofMinutes(2))));
          pst.setLong(3, resultId);
          pst.setString(4, status);
          pst.setString(5, problems);
          pst.setString(6, id + " serves CN=h" + leaf + ".bench.example; " + status);
          pst.setString(7, shas.get(leaf));
          pst.setObject(8, at(leafNotAfter));
          pst.setInt(9, failing ? 5 : 0);
          pst.addBatch();
          if (i % 2000 == 1999) {
            pe.executeBatch();
            pr.executeBatch();
            pst.executeBatch();
            c.commit();
          }
        }
        pe.executeBatch();
        pr.executeBatch();
        pst.executeBatch();
        c.commit();
      }
      try (var st = c.createStatement()) {
        st.execute("ALTER TABLE probe_results ALTER COLUMN id RESTART WITH " + (endpoints + 1));
        st.execute("ANALYZE");
      }
      c.commit();
    }
    return shas;
  }

}
