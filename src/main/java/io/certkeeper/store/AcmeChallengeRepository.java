package io.certkeeper.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code acme_challenges} table: the answers of ACME orders under way, published by the process
 * that places an order and read by every listener on the store: http-01 answers by token (the
 * {@code acme-http} listeners), tls-alpn-01 answers by name (the TLS listeners).
 */
public final class AcmeChallengeRepository {
  private final Store store;

  public AcmeChallengeRepository(Store store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** The challenge kinds whose answers are kept here, as the {@code challenge} column spells them. */
  public static final String HTTP_01 = "http-01";
  public static final String TLS_ALPN_01 = "tls-alpn-01";

  /**
   * Publishes the http-01 answer to {@code token} until {@code expiresAt} (replacing an earlier
   * answer to the same token), and removes every answer expired at {@code now}.
   */
  public void publish(String token, String keyAuthorization, String identifier, String node, Instant now,
      Instant expiresAt) throws StoreException {
    publish(HTTP_01, token, keyAuthorization, identifier, node, now, expiresAt);
  }

  /**
   * Publishes an answer of kind {@code challenge} ({@link #HTTP_01} or {@link #TLS_ALPN_01}) until
   * {@code expiresAt}, replacing an earlier answer to the same token, and removes every answer
   * expired at {@code now}.
   */
  public void publish(String challenge, String token, String keyAuthorization, String identifier, String node,
      Instant now, Instant expiresAt) throws StoreException {
    store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM acme_challenges WHERE token = ? OR expires_at <= ?")) {
        ps.setString(1, token);
        Jdbc.setInstant(ps, 2, now);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO acme_challenges (token, key_authorization,"
          + " identifier, node, created_at, expires_at, challenge) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, token);
        ps.setString(2, keyAuthorization);
        ps.setString(3, identifier);
        ps.setString(4, node);
        Jdbc.setInstant(ps, 5, now);
        Jdbc.setInstant(ps, 6, expiresAt);
        ps.setString(7, challenge);
        ps.executeUpdate();
      }
      return null;
    });
  }

  /** The key authorization that answers http-01 {@code token} at {@code now}, if one is published and not expired. */
  public Optional<String> answer(String token, Instant now) throws StoreException {
    return store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT key_authorization FROM acme_challenges"
          + " WHERE token = ? AND challenge = '" + HTTP_01 + "' AND expires_at > ?")) {
        ps.setString(1, token);
        Jdbc.setInstant(ps, 2, now);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
        }
      }
    });
  }

  /**
   * The key authorization of the newest tls-alpn-01 answer for {@code name} (a DNS name, lowercase)
   * at {@code now}, if one is published and not expired.
   */
  public Optional<String> alpnAnswer(String name, Instant now) throws StoreException {
    return store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT key_authorization FROM acme_challenges"
          + " WHERE challenge = '" + TLS_ALPN_01 + "' AND identifier = ? AND expires_at > ?"
          + " ORDER BY created_at DESC")) {
        ps.setMaxRows(1);
        ps.setString(1, name);
        Jdbc.setInstant(ps, 2, now);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
        }
      }
    });
  }

  /** Withdraws the answer to {@code token} (its authorization is settled). */
  public void withdraw(String token) throws StoreException {
    store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM acme_challenges WHERE token = ?")) {
        ps.setString(1, token);
        return ps.executeUpdate();
      }
    });
  }
}
