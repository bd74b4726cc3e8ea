package io.certkeeper.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the metrics show, read in one transaction: each declared endpoint's latest probe with the
 * leaf it last served, the certificates issued here and not revoked, and what the daemon's TLS
 * listeners serve. Ad-hoc {@code certkeeper probe} targets that are not declared endpoints are
 * left out, so the series follow the configuration.
 */
public final class MetricsRepository {
  private final Store store;

  public MetricsRepository(Store store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /**
   * The facts of a certificate that metrics label and report.
   *
   * @param ca whether it is a CA certificate (the local CA's root or intermediate, for issued ones)
   */
  public record CertificateReading(String sha256, String subject, String issuer, String serial, Instant notBefore,
      Instant notAfter, CertificateRecord.Source source, boolean ca) {}

  /**
   * A declared endpoint's state after its latest probe.
   *
   * @param obtainedChain whether the latest probe got a certificate chain (no network or handshake failure)
   * @param totalMs the latest probe's duration
   * @param pathNotAfter expiry of the path the latest probe validated (the earliest notAfter along it)
   * @param leaf the last leaf seen (kept across failed probes)
   */
  public record EndpointReading(String endpointId, Instant lastProbeAt, String status, List<String> problems,
      boolean obtainedChain, long totalMs, Optional<Instant> pathNotAfter, Optional<CertificateReading> leaf) {}

  /** The certificate a TLS listener of the daemon serves, as the daemon last recorded it. */
  public record ListenerReading(String name, String sha256) {}

  /** All readings, taken together. */
  public record Readings(List<EndpointReading> endpoints, List<CertificateReading> issued,
      List<ListenerReading> listeners) {}

  /**
   * Reads endpoints (by id), issued certificates (by subject, newest first) and the listeners of
   * {@code node} (by name): the shared inventory, and what this node serves.
   */
  public Readings read(String node) throws StoreException {
    return store.transaction(c -> new Readings(endpoints(c), issued(c), listeners(c, node)));
  }

  private static List<EndpointReading> endpoints(Connection c) throws SQLException {
    List<EndpointReading> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT s.endpoint_id, s.last_probe_at, s.status, s.problems, s.consecutive_failures,"
            + " r.total_ms, r.path_not_after,"
            + " c.sha256, c.subject, c.issuer, c.serial, c.not_before, c.not_after, c.source, c.is_ca"
            + " FROM endpoint_state s"
            + " JOIN endpoints e ON e.id = s.endpoint_id"
            + " LEFT JOIN probe_results r ON r.id = s.last_result_id"
            + " LEFT JOIN certificates c ON c.sha256 = s.leaf_sha256"
            + " ORDER BY s.endpoint_id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Optional<CertificateReading> leaf = rs.getString("sha256") == null
            ? Optional.empty()
            : Optional.of(certificate(rs));
        out.add(new EndpointReading(rs.getString("endpoint_id"), Jdbc.getInstant(rs, "last_probe_at"),
            rs.getString("status"), ProbeResultRepository.fromJson(rs.getString("problems")),
            rs.getInt("consecutive_failures") == 0, rs.getLong("total_ms"),
            Optional.ofNullable(Jdbc.getInstant(rs, "path_not_after")), leaf));
      }
    }
    return out;
  }

  private static List<CertificateReading> issued(Connection c) throws SQLException {
    List<CertificateReading> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT c.sha256, c.subject, c.issuer, c.serial, c.not_before, c.not_after, c.source, c.is_ca"
            + " FROM certificates c"
            + " LEFT JOIN issued_certificates i ON i.serial = c.serial AND i.sha256 = c.sha256"
            + " WHERE c.source = ? AND i.revoked_at IS NULL ORDER BY c.subject, c.not_after DESC, c.sha256")) {
      ps.setString(1, CertificateRecord.Source.ISSUED.code());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(certificate(rs));
        }
      }
    }
    return out;
  }

  private static List<ListenerReading> listeners(Connection c, String node) throws SQLException {
    List<ListenerReading> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT name, sha256 FROM listener_state WHERE node = ? ORDER BY name")) {
      ps.setString(1, node);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new ListenerReading(rs.getString("name"), rs.getString("sha256")));
        }
      }
    }
    return out;
  }

  private static CertificateReading certificate(ResultSet rs) throws SQLException {
    return new CertificateReading(rs.getString("sha256"), rs.getString("subject"), rs.getString("issuer"),
        rs.getString("serial"), Jdbc.getInstant(rs, "not_before"), Jdbc.getInstant(rs, "not_after"),
        CertificateRecord.Source.ofCode(rs.getString("source")), rs.getBoolean("is_ca"));
  }
}
