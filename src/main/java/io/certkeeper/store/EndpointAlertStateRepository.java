package io.certkeeper.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code alert_endpoint_state} table: per endpoint, what the alert evaluator has alerted
 * already. It is written in the transaction that writes the alerts, so the two never disagree.
 */
public final class EndpointAlertStateRepository {
  private final Scope scope;

  public EndpointAlertStateRepository(Store store) {
    this(Scope.perCall(store));
  }

  EndpointAlertStateRepository(Scope scope) {
    this.scope = Objects.requireNonNull(scope, "scope");
  }

  public Optional<EndpointAlertState> find(String endpointId) throws StoreException {
    return scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT * FROM alert_endpoint_state WHERE endpoint_id = ?")) {
        ps.setString(1, endpointId);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          return Optional.of(new EndpointAlertState(endpointId, rs.getInt("episode"),
              ProbeResultRepository.fromJson(rs.getString("alerted_problems")), rs.getBoolean("failing_alerted"),
              rs.getLong("last_change_id")));
        }
      }
    });
  }

  /** Records {@code s} for an endpoint that has no row yet. */
  public void insert(EndpointAlertState s, Instant now) throws StoreException {
    write("INSERT INTO alert_endpoint_state (episode, alerted_problems, failing_alerted, last_change_id, updated_at,"
        + " endpoint_id) VALUES (?, ?, ?, ?, ?, ?)", s, now);
  }

  /** Replaces the row of {@code s}'s endpoint. */
  public void update(EndpointAlertState s, Instant now) throws StoreException {
    write("UPDATE alert_endpoint_state SET episode = ?, alerted_problems = ?, failing_alerted = ?,"
        + " last_change_id = ?, updated_at = ? WHERE endpoint_id = ?", s, now);
  }

  private void write(String sql, EndpointAlertState s, Instant now) throws StoreException {
    scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setInt(1, s.episode());
        ps.setString(2, ProbeResultRepository.toJson(s.alertedProblems()));
        ps.setBoolean(3, s.failingAlerted());
        ps.setLong(4, s.lastChangeId());
        Jdbc.setInstant(ps, 5, now);
        ps.setString(6, s.endpointId());
        return ps.executeUpdate();
      }
    });
  }
}
