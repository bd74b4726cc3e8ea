package io.certkeeper.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.certkeeper.util.Json;
import io.certkeeper.x509.Fingerprints;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Probe results, the latest state of each endpoint, and the changes of the certificate it serves.
 * {@link #record} writes all of it, and the observed certificates, in one transaction.
 */
public final class ProbeResultRepository {
  private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {};

  private final Scope scope;
  /** The node whose probes this records ({@code probe_results.node}); null for a command's own probes. */
  private final String node;

  public ProbeResultRepository(Store store) {
    this(Scope.perCall(store), null);
  }

  /** As {@link #ProbeResultRepository(Store)}, recording each result as probed by {@code node}. */
  public ProbeResultRepository(Store store, String node) {
    this(Scope.perCall(store), Objects.requireNonNull(node, "node"));
  }

  ProbeResultRepository(Scope scope) {
    this(scope, null);
  }

  private ProbeResultRepository(Scope scope, String node) {
    this.scope = Objects.requireNonNull(scope, "scope");
    this.node = node;
  }

  /** What {@link #record} found when comparing with the endpoint's previous state. */
  public record Recorded(long resultId, Optional<String> previousLeaf, boolean leafChanged, int consecutiveFailures) {}

  /**
   * Stores one probe: its observed certificates (upserted by fingerprint), a result row, the
   * endpoint's new state, and a change event when the served leaf differs from the last one seen.
   */
  public Recorded record(ProbeRecord r) throws StoreException {
    return recordAll(List.of(r)).get(0);
  }

  /**
   * Stores many probes in one transaction, as {@link #record} stores one, in order (an endpoint
   * may appear more than once). A certificate seen by several probes is written once, with the
   * latest time it was seen. All or nothing: when it throws, nothing was stored.
   *
   * @return what each probe found, in the order of {@code rows}
   */
  public List<Recorded> recordAll(List<ProbeRecord> rows) throws StoreException {
    if (rows.isEmpty()) {
      return List.of();
    }
    return scope.run(c -> {
      // in fingerprint order: two writers (a peer node, an issuance) never take rows in opposite orders
      Map<String, X509Certificate> certs = new java.util.TreeMap<>();
      Map<String, Instant> seen = new HashMap<>();
      List<List<String>> chains = new ArrayList<>(rows.size());
      for (ProbeRecord r : rows) {
        List<String> chain = new ArrayList<>(r.chain().size());
        for (X509Certificate cert : r.chain()) {
          String sha = Fingerprints.sha256(cert);
          chain.add(sha);
          certs.putIfAbsent(sha, cert);
          seen.merge(sha, r.probedAt(), (a, b) -> a.isAfter(b) ? a : b);
        }
        chains.add(chain);
      }
      for (Map.Entry<String, X509Certificate> e : certs.entrySet()) {
        CertificateRepository.upsert(c, e.getValue(), CertificateRecord.Source.OBSERVED, seen.get(e.getKey()));
      }
      long[] ids = insertResults(c, rows, chains, node);
      Map<String, Optional<EndpointState>> states = new HashMap<>();
      List<Recorded> out = new ArrayList<>(rows.size());
      try (PreparedStatement read = c.prepareStatement("SELECT * FROM endpoint_state WHERE endpoint_id = ?");
          PreparedStatement change = c.prepareStatement(
              "INSERT INTO endpoint_changes (endpoint_id, detected_at, old_sha256, new_sha256) VALUES (?, ?, ?, ?)");
          PreparedStatement update = c.prepareStatement(
              "UPDATE endpoint_state SET last_probe_at = ?, last_result_id = ?, status = ?, problems = ?, message = ?,"
                  + " leaf_sha256 = ?, leaf_not_after = ?, consecutive_failures = ? WHERE endpoint_id = ?");
          PreparedStatement insert = c.prepareStatement(
              "INSERT INTO endpoint_state (last_probe_at, last_result_id, status, problems, message, leaf_sha256,"
                  + " leaf_not_after, consecutive_failures, endpoint_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        boolean changes = false;
        boolean updates = false;
        for (int k = 0; k < rows.size(); k++) {
          ProbeRecord r = rows.get(k);
          List<String> chain = chains.get(k);
          Optional<EndpointState> previous = states.get(r.endpointId());
          boolean known = previous != null && previous.isPresent();
          if (previous == null) {
            read.setString(1, r.endpointId());
            try (ResultSet rs = read.executeQuery()) {
              previous = rs.next() ? Optional.of(readState(rs)) : Optional.empty();
            }
            known = previous.isPresent();
          }
          Optional<String> leaf = chain.isEmpty() ? Optional.empty() : Optional.of(chain.get(0));
          Optional<String> previousLeaf = previous.flatMap(EndpointState::leafSha256);
          boolean changed = leaf.isPresent() && previousLeaf.isPresent() && !leaf.equals(previousLeaf);
          if (changed) {
            change.setString(1, r.endpointId());
            Jdbc.setInstant(change, 2, r.probedAt());
            change.setString(3, previousLeaf.get());
            change.setString(4, leaf.get());
            change.addBatch();
            changes = true;
          }
          int failures = leaf.isEmpty() ? previous.map(EndpointState::consecutiveFailures).orElse(0) + 1 : 0;
          Instant leafNotAfter = r.chain().isEmpty() ? null : r.chain().get(0).getNotAfter().toInstant();
          // A failed probe keeps the last known leaf, so the next success compares against it.
          String keptLeaf = leaf.or(() -> previousLeaf).orElse(null);
          Instant keptNotAfter = leaf.isPresent() ? leafNotAfter
              : previous.flatMap(EndpointState::leafNotAfter).orElse(null);
          EndpointState next = new EndpointState(r.endpointId(), r.probedAt(), r.status(), r.problems(),
              truncate(r.message(), 4000), Optional.ofNullable(keptLeaf), Optional.ofNullable(keptNotAfter), failures,
              ids[k]);
          if (known) {
            setState(update, next);
            update.addBatch();
            updates = true;
          } else {
            // the first probe of an endpoint inserts its state at once: a later probe in the batch updates it
            setState(insert, next);
            insert.executeUpdate();
          }
          states.put(r.endpointId(), Optional.of(next));
          out.add(new Recorded(ids[k], previousLeaf, changed, failures));
        }
        if (changes) {
          change.executeBatch();
        }
        if (updates) {
          update.executeBatch();
        }
      }
      return out;
    });
  }

  private static long[] insertResults(Connection c, List<ProbeRecord> rows, List<List<String>> chains, String node)
      throws SQLException {
    long[] ids = new long[rows.size()];
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO probe_results (endpoint_id, probed_at, status, problems, message, address, protocol, cipher,"
            + " leaf_sha256, chain, valid_path, path_not_after, ocsp, connect_ms, handshake_ms, total_ms, node, due_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        Statement.RETURN_GENERATED_KEYS)) {
      for (int k = 0; k < rows.size(); k++) {
        ProbeRecord r = rows.get(k);
        List<String> chain = chains.get(k);
        int i = 1;
        ps.setString(i++, r.endpointId());
        Jdbc.setInstant(ps, i++, r.probedAt());
        ps.setString(i++, r.status());
        ps.setString(i++, toJson(r.problems()));
        ps.setString(i++, truncate(r.message(), 4000));
        ps.setString(i++, r.address().orElse(null));
        ps.setString(i++, r.protocol().orElse(null));
        ps.setString(i++, r.cipher().orElse(null));
        ps.setString(i++, chain.isEmpty() ? null : chain.get(0));
        ps.setString(i++, toJson(chain));
        ps.setBoolean(i++, r.validPath());
        Jdbc.setInstant(ps, i++, r.pathNotAfter().orElse(null));
        ps.setString(i++, r.ocsp());
        setLong(ps, i++, r.connectMs());
        setLong(ps, i++, r.handshakeMs());
        ps.setLong(i++, r.totalMs());
        ps.setString(i++, node);
        Jdbc.setInstant(ps, i++, r.dueAt().orElse(null));
        ps.addBatch();
      }
      ps.executeBatch();
      try (ResultSet keys = ps.getGeneratedKeys()) {
        for (int k = 0; k < ids.length; k++) {
          if (!keys.next()) {
            throw new SQLException("the database returned " + k + " generated ids for " + ids.length + " rows");
          }
          ids[k] = keys.getLong(1);
        }
      }
    }
    return ids;
  }

  private static void setState(PreparedStatement ps, EndpointState s) throws SQLException {
    Jdbc.setInstant(ps, 1, s.lastProbeAt());
    ps.setLong(2, s.lastResultId());
    ps.setString(3, s.status());
    ps.setString(4, toJson(s.problems()));
    ps.setString(5, s.message());
    ps.setString(6, s.leafSha256().orElse(null));
    Jdbc.setInstant(ps, 7, s.leafNotAfter().orElse(null));
    ps.setInt(8, s.consecutiveFailures());
    ps.setString(9, s.endpointId());
  }

  /** The latest state of one endpoint. */
  public Optional<EndpointState> state(String endpointId) throws StoreException {
    return scope.run(c -> state(c, endpointId));
  }

  /** The id of each endpoint's latest result, by endpoint id: what changed since a last look. */
  public Map<String, Long> lastResultIds() throws StoreException {
    return scope.run(c -> {
      Map<String, Long> out = new HashMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT endpoint_id, last_result_id FROM endpoint_state");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getLong(2));
        }
      }
      return out;
    });
  }

  /** The endpoints whose last probe saw one of {@code leafSha256s} as its leaf, by that fingerprint. */
  public Map<String, List<EndpointState>> serving(java.util.Collection<String> leafSha256s) throws StoreException {
    return scope.run(c -> {
      Map<String, List<EndpointState>> out = new HashMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT * FROM endpoint_state WHERE leaf_sha256 = ?")) {
        for (String sha : new java.util.LinkedHashSet<>(leafSha256s)) {
          ps.setString(1, sha);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.computeIfAbsent(sha, k -> new ArrayList<>()).add(readState(rs));
            }
          }
        }
      }
      return out;
    });
  }

  /** How many endpoints' last probe found a problem (any problem code). */
  public long countWithProblems() throws StoreException {
    return scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM endpoint_state WHERE problems <> '[]'");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  /** The newest probe result's id, 0 when there is none: where a watcher of new results starts. */
  public long newestResultId() throws StoreException {
    return scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(id), 0) FROM probe_results");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  /** Results newer than {@code afterId}, oldest first, at most {@code limit}: endpoint, status, time. */
  public List<ProbeSeen> resultsAfter(long afterId, int limit) throws StoreException {
    return scope.run(c -> {
      List<ProbeSeen> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id, endpoint_id, status, probed_at, leaf_sha256"
          + " FROM probe_results WHERE id > ? ORDER BY id")) {
        ps.setMaxRows(limit);
        ps.setLong(1, afterId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new ProbeSeen(rs.getLong("id"), rs.getString("endpoint_id"), rs.getString("status"),
                Jdbc.getInstant(rs, "probed_at"), rs.getString("leaf_sha256")));
          }
        }
      }
      return out;
    });
  }

  /** One probe result in brief, as a watcher of new results sees it. */
  public record ProbeSeen(long id, String endpoint, String status, Instant probedAt, String leafSha256) {}

  /** The latest state of every endpoint ever probed, by id. */
  public List<EndpointState> states() throws StoreException {
    return scope.run(c -> {
      List<EndpointState> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT * FROM endpoint_state ORDER BY endpoint_id");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(readState(rs));
        }
      }
      return out;
    });
  }

  private static Optional<EndpointState> state(Connection c, String endpointId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT * FROM endpoint_state WHERE endpoint_id = ?")) {
      ps.setString(1, endpointId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(readState(rs)) : Optional.empty();
      }
    }
  }

  /** The newest {@code limit} results of an endpoint, newest first. */
  public List<ProbeHistoryEntry> history(String endpointId, int limit) throws StoreException {
    return scope.run(c -> {
      List<ProbeHistoryEntry> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT * FROM probe_results WHERE endpoint_id = ? ORDER BY probed_at DESC, id DESC")) {
        ps.setString(1, endpointId);
        ps.setMaxRows(limit);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new ProbeHistoryEntry(rs.getLong("id"), Jdbc.getInstant(rs, "probed_at"), rs.getString("status"),
                fromJson(rs.getString("problems")), rs.getString("message"),
                Optional.ofNullable(rs.getString("protocol")), Optional.ofNullable(rs.getString("leaf_sha256")),
                rs.getLong("total_ms")));
          }
        }
      }
      return out;
    });
  }

  /** Changes of the served leaf of an endpoint, newest first. */
  public List<EndpointChange> changes(String endpointId, int limit) throws StoreException {
    return scope.run(c -> {
      List<EndpointChange> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT * FROM endpoint_changes WHERE endpoint_id = ? ORDER BY detected_at DESC, id DESC")) {
        ps.setString(1, endpointId);
        ps.setMaxRows(limit);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new EndpointChange(rs.getLong("id"), rs.getString("endpoint_id"), Jdbc.getInstant(rs, "detected_at"),
                Optional.ofNullable(rs.getString("old_sha256")), rs.getString("new_sha256")));
          }
        }
      }
      return out;
    });
  }

  /** Changes of the served leaf of an endpoint after the change {@code afterId}, oldest first. */
  public List<EndpointChange> changesAfter(String endpointId, long afterId) throws StoreException {
    return scope.run(c -> {
      List<EndpointChange> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id, endpoint_id, detected_at, old_sha256, new_sha256 FROM endpoint_changes"
              + " WHERE endpoint_id = ? AND id > ? ORDER BY id")) {
        ps.setString(1, endpointId);
        ps.setLong(2, afterId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new EndpointChange(rs.getLong("id"), rs.getString("endpoint_id"), Jdbc.getInstant(rs, "detected_at"),
                Optional.ofNullable(rs.getString("old_sha256")), rs.getString("new_sha256")));
          }
        }
      }
      return out;
    });
  }

  /** The SHA-256 fingerprints of the chain a result obtained, leaf first; empty when there is no such result. */
  public List<String> chainOf(long resultId) throws StoreException {
    return scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT chain FROM probe_results WHERE id = ?")) {
        ps.setLong(1, resultId);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? fromJson(rs.getString(1)) : List.<String>of();
        }
      }
    });
  }

  /** Number of results stored for an endpoint. */
  public long count(String endpointId) throws StoreException {
    return scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM probe_results WHERE endpoint_id = ?")) {
        ps.setString(1, endpointId);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    });
  }

  /** The most results one prune transaction deletes. */
  static final int PRUNE_CHUNK = 10_000;

  /**
   * Deletes results probed before {@code cutoff}, except each endpoint's latest (which its state
   * points at). Change events and certificates are kept. Deletes in transactions of at most
   * {@link #PRUNE_CHUNK} rows, oldest first, so that a large backlog (100,000 endpoints add
   * over a million rows an hour) never becomes one huge transaction.
   *
   * @return how many results were deleted
   */
  public int prune(Instant cutoff) throws StoreException {
    return prune(cutoff, PRUNE_CHUNK);
  }

  int prune(Instant cutoff, int chunk) throws StoreException {
    int total = 0;
    while (true) {
      int n = scope.run(c -> {
        try (PreparedStatement ps = c.prepareStatement(
            "DELETE FROM probe_results WHERE id IN (SELECT id FROM probe_results WHERE probed_at < ?"
                + " AND id NOT IN (SELECT last_result_id FROM endpoint_state) ORDER BY probed_at"
                + " FETCH FIRST " + chunk + " ROWS ONLY)")) {
          Jdbc.setInstant(ps, 1, cutoff);
          return ps.executeUpdate();
        }
      });
      total += n;
      if (n < chunk) {
        return total;
      }
    }
  }

  private static EndpointState readState(ResultSet rs) throws SQLException {
    return new EndpointState(rs.getString("endpoint_id"), Jdbc.getInstant(rs, "last_probe_at"),
        rs.getString("status"), fromJson(rs.getString("problems")), rs.getString("message"),
        Optional.ofNullable(rs.getString("leaf_sha256")), Optional.ofNullable(Jdbc.getInstant(rs, "leaf_not_after")),
        rs.getInt("consecutive_failures"), rs.getLong("last_result_id"));
  }

  private static void setLong(PreparedStatement ps, int i, Optional<Long> v) throws SQLException {
    if (v.isPresent()) {
      ps.setLong(i, v.get());
    } else {
      ps.setNull(i, java.sql.Types.BIGINT);
    }
  }

  static String toJson(List<String> values) {
    try {
      return Json.mapper().writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  static List<String> fromJson(String json) throws SQLException {
    try {
      return Json.mapper().readValue(json, STRING_LIST);
    } catch (JsonProcessingException e) {
      throw new SQLException("corrupt JSON column: " + e.getOriginalMessage(), e);
    }
  }

  private static String truncate(String s, int max) {
    return s == null ? "" : s.length() <= max ? s : s.substring(0, max);
  }
}
