package io.certkeeper.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads for the expiry alerts of certificates the local CA issued: the leaves (not the CA's own
 * certificates, not its OCSP responder's signers, which it renews itself; not revoked) whose notAfter falls in given windows, through the (source,
 * not_after) index, so that a pass reads the certificates crossing a threshold since the last pass
 * and not the whole inventory; and whether a newer certificate with the same subject and names
 * replaced one.
 */
public final class ExpiringIssued {
  private final Scope scope;

  public ExpiringIssued(Store store) {
    this(Scope.perCall(store));
  }

  ExpiringIssued(Scope scope) {
    this.scope = Objects.requireNonNull(scope, "scope");
  }

  /** A window of notAfter: after {@code from}, up to and including {@code to}. */
  public record Window(Instant from, Instant to) {}

  /** An issued leaf: its facts for an alert. */
  public record Leaf(String sha256, String serial, String subject, String issuer, String sans, Instant notAfter,
      String profile) {}

  /** The issued leaves, not revoked, expiring in any of {@code windows}, each once. */
  public List<Leaf> expiringIn(List<Window> windows) throws StoreException {
    return scope.run(c -> {
      Map<String, Leaf> out = new LinkedHashMap<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT c.sha256, c.serial, c.subject, c.issuer, c.sans, c.not_after, i.profile FROM certificates c"
              + " JOIN issued_certificates i ON i.serial = c.serial AND i.sha256 = c.sha256"
              + " WHERE c.source = 'issued' AND c.not_after > ? AND c.not_after <= ? AND c.is_ca = FALSE"
              + " AND i.revoked_at IS NULL AND i.profile <> 'ocsp-signer' ORDER BY c.not_after, c.sha256")) {
        for (Window w : windows) {
          if (!w.to().isAfter(w.from())) {
            continue;
          }
          Jdbc.setInstant(ps, 1, w.from());
          Jdbc.setInstant(ps, 2, w.to());
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.putIfAbsent(rs.getString(1), new Leaf(rs.getString(1), rs.getString(2), rs.getString(3),
                  rs.getString(4), rs.getString(5), Jdbc.getInstant(rs, "not_after"), rs.getString(7)));
            }
          }
        }
      }
      return new ArrayList<>(out.values());
    });
  }

  /**
   * Whether {@code leaf} was replaced: the CA issued a certificate with the same subject and names
   * that expires later and is not revoked.
   */
  public boolean replaced(Leaf leaf) throws StoreException {
    return scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT 1 FROM certificates c JOIN issued_certificates i ON i.serial = c.serial AND i.sha256 = c.sha256"
              + " WHERE c.subject = ? AND c.source = 'issued' AND c.not_after > ? AND c.sans = ?"
              + " AND i.revoked_at IS NULL")) {
        ps.setString(1, leaf.subject());
        Jdbc.setInstant(ps, 2, leaf.notAfter());
        ps.setString(3, leaf.sans());
        ps.setMaxRows(1);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next();
        }
      }
    });
  }
}
