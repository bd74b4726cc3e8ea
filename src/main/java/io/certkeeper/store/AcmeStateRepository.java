package io.certkeeper.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code acme_certificates} table: one node's {@link AcmeState} rows, by managed certificate
 * name.
 */
public final class AcmeStateRepository {
  private static final String COLUMNS = "node, name, first_failures, first_error, no_order_before, ari_serial,"
      + " ari_start, ari_end, ari_renew_at, ari_explanation, ari_next_fetch";

  private final Store store;
  private final String node;

  public AcmeStateRepository(Store store, String node) {
    this.store = Objects.requireNonNull(store, "store");
    this.node = Objects.requireNonNull(node, "node");
  }

  public Optional<AcmeState> find(String name) throws StoreException {
    return store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM acme_certificates"
          + " WHERE node = ? AND name = ?")) {
        ps.setString(1, node);
        ps.setString(2, name);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(read(rs)) : Optional.<AcmeState>empty();
        }
      }
    });
  }

  /** Every row of this node, by name. */
  public Map<String, AcmeState> all() throws StoreException {
    return store.transaction(c -> {
      Map<String, AcmeState> out = new HashMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM acme_certificates WHERE node = ?")) {
        ps.setString(1, node);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            AcmeState s = read(rs);
            out.put(s.name(), s);
          }
        }
      }
      return out;
    });
  }

  /** Records a failed first order: one more in a row, {@code error}, and no new order before {@code noOrderBefore}. */
  public void firstIssueFailed(String name, String error, Instant noOrderBefore) throws StoreException {
    store.transaction(c -> {
      ensure(c, name);
      try (PreparedStatement ps = c.prepareStatement("UPDATE acme_certificates SET first_failures = first_failures + 1,"
          + " first_error = ?, no_order_before = ? WHERE node = ? AND name = ?")) {
        ps.setString(1, Jdbc.truncate(error, 4000));
        Jdbc.setInstant(ps, 2, noOrderBefore);
        ps.setString(3, node);
        ps.setString(4, name);
        ps.executeUpdate();
      }
      EventCounts.add(c, EventCounts.RENEWALS, 1, "failure");
      return null;
    });
  }

  /** Forgets the first issue's failures (a certificate was issued). */
  public void issued(String name) throws StoreException {
    store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE acme_certificates SET first_failures = 0,"
          + " first_error = NULL, no_order_before = NULL WHERE node = ? AND name = ? AND first_failures > 0")) {
        ps.setString(1, node);
        ps.setString(2, name);
        ps.executeUpdate();
      }
      return null;
    });
  }

  /** Records the renewal information last fetched for {@code name}'s certificate in force. */
  public void renewalInfo(String name, AcmeState.Ari ari) throws StoreException {
    store.transaction(c -> {
      ensure(c, name);
      try (PreparedStatement ps = c.prepareStatement("UPDATE acme_certificates SET ari_serial = ?, ari_start = ?,"
          + " ari_end = ?, ari_renew_at = ?, ari_explanation = ?, ari_next_fetch = ? WHERE node = ? AND name = ?")) {
        Optional<AcmeState.Window> w = ari.window();
        ps.setString(1, ari.serial());
        Jdbc.setInstant(ps, 2, w.map(AcmeState.Window::start).orElse(null));
        Jdbc.setInstant(ps, 3, w.map(AcmeState.Window::end).orElse(null));
        Jdbc.setInstant(ps, 4, w.map(AcmeState.Window::renewAt).orElse(null));
        ps.setString(5, w.flatMap(AcmeState.Window::explanation).map(e -> Jdbc.truncate(e, 1000)).orElse(null));
        Jdbc.setInstant(ps, 6, ari.nextFetch());
        ps.setString(7, node);
        ps.setString(8, name);
        ps.executeUpdate();
      }
      return null;
    });
  }

  private void ensure(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM acme_certificates WHERE node = ? AND name = ?")) {
      ps.setString(1, node);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return;
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO acme_certificates (node, name) VALUES (?, ?)")) {
      ps.setString(1, node);
      ps.setString(2, name);
      ps.executeUpdate();
    }
  }

  private static AcmeState read(ResultSet rs) throws SQLException {
    Optional<AcmeState.Ari> ari = Optional.empty();
    String serial = rs.getString("ari_serial");
    Instant nextFetch = Jdbc.getInstant(rs, "ari_next_fetch");
    if (serial != null && nextFetch != null) {
      Instant start = Jdbc.getInstant(rs, "ari_start");
      Instant end = Jdbc.getInstant(rs, "ari_end");
      Instant renewAt = Jdbc.getInstant(rs, "ari_renew_at");
      Optional<AcmeState.Window> w = start == null || end == null || renewAt == null ? Optional.empty()
          : Optional.of(new AcmeState.Window(start, end, renewAt, Optional.ofNullable(rs.getString("ari_explanation"))));
      ari = Optional.of(new AcmeState.Ari(serial, w, nextFetch));
    }
    return new AcmeState(rs.getString("node"), rs.getString("name"), rs.getInt("first_failures"),
        Optional.ofNullable(rs.getString("first_error")), Optional.ofNullable(Jdbc.getInstant(rs, "no_order_before")),
        ari);
  }
}
