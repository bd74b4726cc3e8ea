package io.certkeeper.store;

import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code watched_files} and {@code file_certificates} tables: the certificate files one node's
 * {@code files:} patterns match, what each held at its last read, and the problem that kept it from
 * being read. The certificates themselves go into the inventory ({@code certificates}, source
 * {@code file}) in the same transaction as the file that holds them.
 */
public final class WatchedFileRepository {
  /** Paths longer than this (in UTF-8 bytes) are not recorded. */
  public static final int MAX_PATH_BYTES = 2000;

  private final Scope scope;
  private final String node;

  public WatchedFileRepository(Store store, String node) {
    this(Scope.perCall(store), node);
  }

  WatchedFileRepository(Scope scope, String node) {
    this.scope = Objects.requireNonNull(scope, "scope");
    this.node = Objects.requireNonNull(node, "node");
  }

  /** A certificate and its place in a file ({@code #1}, an alias). */
  public record Placed(String place, X509Certificate certificate) {}

  /**
   * One read of a file.
   *
   * @param fileSet the {@code files:} entry it belongs to (see the table's comment)
   * @param format how it was read, when it was
   * @param problemCode why it could not be read, as a short code, when it could not
   * @param settings JSON of the entry's settings
   */
  public record FileRead(String path, String fileSet, Optional<String> format, Optional<String> problemCode,
      Optional<String> problem, Optional<Long> size, Optional<Instant> modified, String settings,
      List<Placed> certificates) {
    public FileRead {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(problemCode, "problemCode");
      certificates = List.copyOf(certificates);
    }
  }

  /** A certificate a watched file holds, with the facts reports and alerts need. */
  public record Entry(int position, String place, String sha256, String subject, String issuer, String serial,
      Instant notBefore, Instant notAfter, String spkiSha256, boolean ca) {}

  /** A watched file as last recorded. */
  public record WatchedFile(String node, String path, String fileSet, Optional<String> format,
      Optional<String> problemCode, Optional<String> problem, Optional<Instant> problemSince, Optional<Long> size,
      Optional<Instant> modified, Instant readAt, String settings, Optional<String> alertedProblem,
      List<Entry> entries) {
    /** Its entry's settings at the last read. */
    public FileSettings parsedSettings() {
      return FileSettings.parse(settings);
    }
  }

  /**
   * The settings of a file's entry as recorded with it (the column {@code settings}), for alerts and
   * reports in any process: thresholds, labels, owners, linked endpoints. Missing or unreadable
   * values read as the defaults of endpoints.
   */
  public record FileSettings(java.time.Duration warning, java.time.Duration critical, Map<String, String> labels,
      List<String> owners, List<String> endpoints) {
    static FileSettings parse(String json) {
      com.fasterxml.jackson.databind.JsonNode n;
      try {
        n = io.certkeeper.util.Json.mapper().readTree(json);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        n = io.certkeeper.util.Json.mapper().createObjectNode();
      }
      Map<String, String> labels = new java.util.TreeMap<>();
      n.path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
      List<String> owners = new ArrayList<>();
      n.path("owners").forEach(o -> owners.add(o.asText()));
      List<String> endpoints = new ArrayList<>();
      n.path("endpoints").forEach(o -> endpoints.add(o.asText()));
      return new FileSettings(duration(n, "warning", java.time.Duration.ofDays(30)),
          duration(n, "critical", java.time.Duration.ofDays(7)), labels, owners, endpoints);
    }

    private static java.time.Duration duration(com.fasterxml.jackson.databind.JsonNode n, String key,
        java.time.Duration otherwise) {
      try {
        return n.hasNonNull(key) ? io.certkeeper.util.Durations.parse(n.get(key).asText()) : otherwise;
      } catch (IllegalArgumentException e) {
        return otherwise;
      }
    }
  }

  /** Where a certificate was found: node, path and place. */
  public record Location(String node, String path, String place) {}

  /**
   * Records {@code r} read at {@code now}, in one transaction: the file's row, the certificates it
   * holds now (replacing those of the last read), and each certificate in the inventory. A problem
   * keeps the time it was first found while it stays the same.
   */
  public void record(FileRead r, Instant now) throws StoreException {
    if (r.path().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
      throw new StoreException("path longer than " + MAX_PATH_BYTES + " bytes: " + r.path().substring(0, 80) + "...");
    }
    scope.run(c -> {
      Optional<String> before = Optional.empty();
      Optional<Instant> since = Optional.empty();
      boolean exists = false;
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT problem_code, problem_since FROM watched_files WHERE node = ? AND path = ?")) {
        ps.setString(1, node);
        ps.setString(2, r.path());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            exists = true;
            before = Optional.ofNullable(rs.getString(1));
            since = Optional.ofNullable(Jdbc.getInstant(rs, "problem_since"));
          }
        }
      }
      Instant problemSince = r.problemCode().isEmpty() ? null
          : before.equals(r.problemCode()) && since.isPresent() ? since.get() : now;
      String sql = exists
          ? "UPDATE watched_files SET file_set = ?, format = ?, problem_code = ?, problem = ?, problem_since = ?,"
              + " size_bytes = ?, modified_at = ?, read_at = ?, settings = ? WHERE node = ? AND path = ?"
          : "INSERT INTO watched_files (file_set, format, problem_code, problem, problem_since, size_bytes,"
              + " modified_at, read_at, settings, node, path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        int i = 1;
        ps.setString(i++, r.fileSet());
        ps.setString(i++, r.format().orElse(null));
        ps.setString(i++, r.problemCode().orElse(null));
        ps.setString(i++, r.problem().map(p -> Jdbc.truncate(p, 4000)).orElse(null));
        Jdbc.setInstant(ps, i++, problemSince);
        if (r.size().isPresent()) {
          ps.setLong(i++, r.size().get());
        } else {
          ps.setNull(i++, java.sql.Types.BIGINT);
        }
        Jdbc.setInstant(ps, i++, r.modified().orElse(null));
        Jdbc.setInstant(ps, i++, now);
        ps.setString(i++, r.settings());
        ps.setString(i++, node);
        ps.setString(i, r.path());
        ps.executeUpdate();
      }
      if (r.problemCode().isPresent()) {
        return null; // what it held at its last good read stays until it is read again
      }
      deleteEntries(c, List.of(r.path()));
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO file_certificates (node, path, position, place, sha256) VALUES (?, ?, ?, ?, ?)")) {
        int position = 0;
        for (Placed p : r.certificates()) {
          String sha = CertificateRepository.upsert(c, p.certificate(), CertificateRecord.Source.FILE, now).sha256();
          ps.setString(1, node);
          ps.setString(2, r.path());
          ps.setInt(3, position++);
          ps.setString(4, Jdbc.truncate(p.place(), 300));
          ps.setString(5, sha);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    });
  }

  /** The paths recorded for the {@code files:} entry {@code fileSet}. */
  public Set<String> paths(String fileSet) throws StoreException {
    return scope.run(c -> {
      Set<String> out = new HashSet<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT path FROM watched_files WHERE node = ? AND file_set = ?")) {
        ps.setString(1, node);
        ps.setString(2, fileSet);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      }
      return out;
    });
  }

  /** Forgets {@code paths} (no longer matched, or their entry is gone) and what they held; how many. */
  public int forget(Collection<String> paths) throws StoreException {
    if (paths.isEmpty()) {
      return 0;
    }
    return scope.run(c -> {
      deleteEntries(c, paths);
      int n = 0;
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM watched_files WHERE node = ? AND path = ?")) {
        for (String p : paths) {
          ps.setString(1, node);
          ps.setString(2, p);
          n += ps.executeUpdate();
        }
      }
      return n;
    });
  }

  /** Forgets the files of every entry but {@code fileSets} (entries removed from the configuration); how many. */
  public int retainSets(Collection<String> fileSets) throws StoreException {
    List<String> gone = new ArrayList<>();
    scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT path, file_set FROM watched_files WHERE node = ?")) {
        ps.setString(1, node);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            if (!fileSets.contains(rs.getString(2))) {
              gone.add(rs.getString(1));
            }
          }
        }
      }
      return null;
    });
    return forget(gone);
  }

  private void deleteEntries(Connection c, Collection<String> paths) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM file_certificates WHERE node = ? AND path = ?")) {
      for (String p : paths) {
        ps.setString(1, node);
        ps.setString(2, p);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** Records that the problem {@code code} of {@code path} was alerted (empty: that it was resolved). */
  public void alerted(String path, Optional<String> code) throws StoreException {
    scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE watched_files SET alerted_problem = ? WHERE node = ? AND path = ?")) {
        ps.setString(1, code.orElse(null));
        ps.setString(2, node);
        ps.setString(3, path);
        ps.executeUpdate();
      }
      return null;
    });
  }

  /** This node's watched files, by path, with what each holds. */
  public List<WatchedFile> list() throws StoreException {
    return list(Optional.of(node));
  }

  /** The watched files of {@code node} (every node's when empty), by node and path. */
  public List<WatchedFile> list(Optional<String> ofNode) throws StoreException {
    return scope.run(c -> {
      Map<String, List<Entry>> entries = new LinkedHashMap<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT f.node, f.path, f.position, f.place, c.sha256, c.subject, c.issuer, c.serial, c.not_before,"
              + " c.not_after, c.spki_sha256, c.is_ca FROM file_certificates f JOIN certificates c ON c.sha256 = f.sha256"
              + (ofNode.isPresent() ? " WHERE f.node = ?" : "") + " ORDER BY f.node, f.path, f.position")) {
        if (ofNode.isPresent()) {
          ps.setString(1, ofNode.get());
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            entries.computeIfAbsent(rs.getString("node") + "\0" + rs.getString("path"), k -> new ArrayList<>())
                .add(new Entry(rs.getInt("position"), rs.getString("place"), rs.getString("sha256"),
                    rs.getString("subject"), rs.getString("issuer"), rs.getString("serial"),
                    Jdbc.getInstant(rs, "not_before"), Jdbc.getInstant(rs, "not_after"), rs.getString("spki_sha256"),
                    rs.getBoolean("is_ca")));
          }
        }
      }
      List<WatchedFile> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT * FROM watched_files"
          + (ofNode.isPresent() ? " WHERE node = ?" : "") + " ORDER BY node, path")) {
        if (ofNode.isPresent()) {
          ps.setString(1, ofNode.get());
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            long size = rs.getLong("size_bytes");
            Optional<Long> sized = rs.wasNull() ? Optional.empty() : Optional.of(size);
            String n = rs.getString("node");
            String p = rs.getString("path");
            out.add(new WatchedFile(n, p, rs.getString("file_set"), Optional.ofNullable(rs.getString("format")),
                Optional.ofNullable(rs.getString("problem_code")), Optional.ofNullable(rs.getString("problem")),
                Optional.ofNullable(Jdbc.getInstant(rs, "problem_since")), sized,
                Optional.ofNullable(Jdbc.getInstant(rs, "modified_at")), Jdbc.getInstant(rs, "read_at"),
                rs.getString("settings"), Optional.ofNullable(rs.getString("alerted_problem")),
                entries.getOrDefault(n + "\0" + p, List.of())));
          }
        }
      }
      return out;
    });
  }

  /**
   * A watched file whose leaf differs from what an endpoint serves.
   *
   * @param link {@code linked} (the file's entry names the endpoint under {@code endpoints:}) or
   *     {@code same_key} (the endpoint serves another certificate for the same key)
   */
  public record StaleDeploy(String node, String path, String fileSha256, Instant fileNotAfter, String endpointId,
      String servedSha256, Instant servedNotAfter, String link) {
    /** Whether the file holds the newer certificate (the server was not reloaded), rather than the endpoint. */
    public boolean fileIsNewer() {
      return fileNotAfter.isAfter(servedNotAfter);
    }
  }

  /**
   * This node's files whose leaf (the first certificate that is not a CA's, else the first) differs from the leaf an
   * endpoint last served: an endpoint the file's entry links to, or one serving another certificate
   * for the same key; {@code files} are this node's, as {@link #list()} read them (callers have them
   * already).
   */
  public List<StaleDeploy> staleDeploys(List<WatchedFile> files) throws StoreException {
    return scope.run(c -> {
      List<StaleDeploy> out = new ArrayList<>();
      try (PreparedStatement linked = c.prepareStatement("SELECT s.leaf_sha256, c.not_after FROM endpoint_state s"
          + " JOIN certificates c ON c.sha256 = s.leaf_sha256 WHERE s.endpoint_id = ?");
          PreparedStatement sameKey = c.prepareStatement("SELECT s.endpoint_id, s.leaf_sha256, c.not_after"
              + " FROM endpoint_state s JOIN certificates c ON c.sha256 = s.leaf_sha256"
              + " WHERE c.spki_sha256 = ? AND s.leaf_sha256 <> ? ORDER BY s.endpoint_id")) {
        for (WatchedFile f : files) {
          // the first certificate that is not a CA's; a self-signed one marked CA (as openssl req -x509 makes them)
          // when the file holds nothing else
          Optional<Entry> leaf = f.entries().stream().filter(e -> !e.ca()).findFirst()
              .or(() -> f.entries().stream().findFirst());
          if (leaf.isEmpty() || f.problemCode().isPresent()) {
            continue;
          }
          Entry l = leaf.get();
          Set<String> seen = new HashSet<>();
          for (String id : f.parsedSettings().endpoints()) {
            linked.setString(1, id);
            try (ResultSet rs = linked.executeQuery()) {
              if (rs.next() && !l.sha256().equals(rs.getString(1))) {
                seen.add(id);
                out.add(new StaleDeploy(f.node(), f.path(), l.sha256(), l.notAfter(), id, rs.getString(1),
                    Jdbc.getInstant(rs, "not_after"), "linked"));
              }
            }
          }
          sameKey.setString(1, l.spkiSha256());
          sameKey.setString(2, l.sha256());
          try (ResultSet rs = sameKey.executeQuery()) {
            while (rs.next()) {
              if (seen.add(rs.getString(1))) {
                out.add(new StaleDeploy(f.node(), f.path(), l.sha256(), l.notAfter(), rs.getString(1), rs.getString(2),
                    Jdbc.getInstant(rs, "not_after"), "same_key"));
              }
            }
          }
        }
      }
      return out;
    });
  }

  /** Where each of {@code sha256s} was found in files, on any node. */
  public static Map<String, List<Location>> locationsOf(Store store, Collection<String> sha256s) throws StoreException {
    return new WatchedFileRepository(store, "").locations(sha256s);
  }

  /** Where each of {@code sha256s} was found in files, on any node. */
  public Map<String, List<Location>> locations(Collection<String> sha256s) throws StoreException {
    return scope.run(c -> {
      Map<String, List<Location>> out = new LinkedHashMap<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT node, path, place FROM file_certificates WHERE sha256 = ? ORDER BY node, path, position")) {
        for (String sha : new java.util.LinkedHashSet<>(sha256s)) {
          ps.setString(1, sha);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.computeIfAbsent(sha, k -> new ArrayList<>())
                  .add(new Location(rs.getString(1), rs.getString(2), rs.getString(3)));
            }
          }
        }
      }
      return out;
    });
  }
}
