package io.certkeeper.store;

import io.certkeeper.util.CpuSlots;
import io.certkeeper.x509.CertificateInfo;
import io.certkeeper.x509.Fingerprints;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code issued_certificates} and {@code crl_state} tables: what the local CA signed, what it
 * revoked, and the number of its last CRL. A serial number is unique across the table and never
 * reused; {@link #record} reports a collision so that the CA can sign again with a new one.
 */
public final class IssuedCertificateRepository {
  /** The most certificates one shared transaction records. */
  static final int MAX_BATCH = 256;

  private final Store store;
  private final GroupCommit<Issued, Boolean> commits;

  public IssuedCertificateRepository(Store store) {
    this.store = Objects.requireNonNull(store, "store");
    this.commits = new GroupCommit<>(store, IssuedCertificateRepository::insert, MAX_BATCH, CpuSlots.PROCESS);
  }

  /** What {@link #record} writes, prepared on the caller's thread. */
  private record Issued(CertificateRow row, String serial, String issuerSha256, String profile, Instant now) {}

  /**
   * Records {@code cert} as issued by the CA certificate {@code issuerSha256}, committed before
   * this returns: the {@code certificates} row (source {@code issued}) and the
   * {@code issued_certificates} row, together. Concurrent calls on one repository share a
   * transaction ({@link GroupCommit}): issuers on several threads pay for one commit per batch, not
   * one per certificate.
   *
   * @return false, recording nothing, when the serial number is already taken
   */
  public boolean record(X509Certificate cert, String issuerSha256, String profile, Instant now)
      throws StoreException {
    try {
      return commits.submit(
          new Issued(CertificateRow.prepared(cert), cert.getSerialNumber().toString(16), issuerSha256, profile, now));
    } catch (GroupCommit.SqlFailure e) {
      if (Store.isUniqueViolation(e.sql())) {
        return false; // lost a race for the serial: the caller signs again with a new one
      }
      throw Store.failure(e.sql());
    }
  }

  /**
   * Both rows of one certificate. A serial number already taken fails the insert of its
   * {@code issued_certificates} row (the primary key), and {@link GroupCommit} rolls this
   * certificate's part back: no look beforehand.
   */
  private static boolean insert(Connection c, Issued i) throws SQLException {
    CertificateInfo info = CertificateRepository.upsert(c, i.row(), CertificateRecord.Source.ISSUED, i.now());
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO issued_certificates (serial, sha256, issuer_sha256, profile, issued_at) VALUES (?, ?, ?, ?, ?)")) {
      ps.setString(1, i.serial());
      ps.setString(2, info.sha256());
      ps.setString(3, i.issuerSha256());
      ps.setString(4, i.profile());
      Jdbc.setInstant(ps, 5, i.now());
      ps.executeUpdate();
    }
    return true;
  }

  /** As {@link #record(X509Certificate, String, String, Instant)} for a self-signed root. */
  public boolean recordRoot(X509Certificate root, Instant now) throws StoreException {
    return record(root, Fingerprints.sha256(root), "root", now);
  }

  /** The issued certificate with this serial (lowercase hex without leading zeros). */
  public Optional<IssuedCertificateRecord> find(String serial) throws StoreException {
    return store.transaction(c -> find(c, serial));
  }

  private static Optional<IssuedCertificateRecord> find(Connection c, String serial) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT * FROM issued_certificates WHERE serial = ?")) {
      ps.setString(1, serial);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  /**
   * Marks the certificate revoked at {@code at} for {@code reason}.
   *
   * @return false when no unrevoked certificate has this serial
   */
  public boolean revoke(String serial, String reason, Instant at) throws StoreException {
    return store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE issued_certificates SET revoked_at = ?, revocation_reason = ? WHERE serial = ? AND revoked_at IS NULL")) {
        Jdbc.setInstant(ps, 1, at);
        ps.setString(2, reason);
        ps.setString(3, serial);
        return ps.executeUpdate() == 1;
      }
    });
  }

  /** The revoked certificates signed by {@code issuerSha256}, oldest revocation first. */
  public List<IssuedCertificateRecord> revokedBy(String issuerSha256) throws StoreException {
    return store.transaction(c -> revokedBy(c, issuerSha256));
  }

  private static List<IssuedCertificateRecord> revokedBy(Connection c, String issuerSha256) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT * FROM issued_certificates WHERE issuer_sha256 = ? AND revoked_at IS NOT NULL ORDER BY revoked_at, serial")) {
      ps.setString(1, issuerSha256);
      List<IssuedCertificateRecord> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(read(rs));
        }
      }
      return out;
    }
  }

  /** Every issued certificate by the fingerprint of its certificate. */
  public Map<String, IssuedCertificateRecord> bySha256() throws StoreException {
    return store.transaction(c -> {
      Map<String, IssuedCertificateRecord> out = new LinkedHashMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT * FROM issued_certificates ORDER BY issued_at, serial");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          IssuedCertificateRecord r = read(rs);
          out.put(r.sha256(), r);
        }
      }
      return out;
    });
  }

  /** How many certificates {@code issuerSha256} signed, and how many of those are revoked. */
  public Counts counts(String issuerSha256) throws StoreException {
    return store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT COUNT(*), SUM(CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END) FROM issued_certificates"
              + " WHERE issuer_sha256 = ? AND sha256 <> issuer_sha256")) {
        ps.setString(1, issuerSha256);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return new Counts(rs.getLong(1), rs.getLong(2));
        }
      }
    });
  }

  /** Certificate counts of one CA; see {@link #counts}. */
  public record Counts(long issued, long revoked) {}

  /** The last CRL {@code issuerSha256} signed, if any. */
  public Optional<CrlState> crlState(String issuerSha256) throws StoreException {
    return store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT * FROM crl_state WHERE issuer_sha256 = ?")) {
        ps.setString(1, issuerSha256);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.<CrlState>empty();
          }
          return Optional.of(new CrlState(issuerSha256, rs.getLong("crl_number"),
              Jdbc.getInstant(rs, "this_update"), Jdbc.getInstant(rs, "next_update")));
        }
      }
    });
  }

  /** What a node does with the newest CRL of an issuer while it holds the issuer's CRL lock. */
  @FunctionalInterface
  public interface CrlCopying<E extends Exception> {
    void copy(SignedCrl newest) throws E;
  }

  /**
   * Hands the newest CRL of {@code issuerSha256} (when the store has one) to {@code copying} while
   * holding the issuer's CRL lock, so that no publisher writes a newer CRL meanwhile: a node that
   * writes its copy never overwrites a newer file with an older one.
   */
  public <E extends Exception> void withLatestCrl(String issuerSha256, CrlCopying<E> copying)
      throws StoreException, E {
    try {
      store.transaction(c -> {
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT crl_number, crl_der FROM crl_state WHERE issuer_sha256 = ? FOR UPDATE")) {
          ps.setString(1, issuerSha256);
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next() && rs.getBytes(2) != null) {
              try {
                copying.copy(new SignedCrl(rs.getLong(1), rs.getBytes(2)));
              } catch (RuntimeException e) {
                throw e;
              } catch (Exception e) {
                throw new SigningFailed(e);
              }
            }
          }
        }
        return null;
      });
    } catch (SigningFailed e) {
      @SuppressWarnings("unchecked")
      E cause = (E) e.getCause();
      throw cause;
    }
  }

  /**
   * What the CA does while it holds the CRL lock of its issuer: sign the CRL that follows
   * {@code lastNumber} (0 when none was published), listing {@code revoked}, write it where
   * relying parties read it, and return it (the store keeps it for the other nodes).
   */
  @FunctionalInterface
  public interface CrlSigning<E extends Exception> {
    SignedCrl publish(long lastNumber, List<IssuedCertificateRecord> revoked) throws E;
  }

  /**
   * Publishes the next CRL of {@code issuerSha256} under a lock: in one transaction, takes the
   * {@code crl_state} row of the issuer {@code FOR UPDATE} (creating it for the first CRL), reads
   * every committed revocation of the issuer, lets {@code signing} sign and write the CRL while the
   * lock is held, and records the number it used. Publishers in other threads and other processes
   * (the H2 file shared through its automatic server, or PostgreSQL) wait for the lock, so CRLs are
   * written in number order and each lists every revocation committed before it.
   *
   * @throws E what {@code signing} threw; nothing is recorded then
   * @throws StoreException when the store fails, or {@code signing} returned a number not above the last
   */
  public <E extends Exception> CrlState publishCrl(String issuerSha256, Instant thisUpdate, Instant nextUpdate,
      CrlSigning<E> signing) throws StoreException, E {
    for (int attempt = 1; ; attempt++) {
      try {
        return store.transaction(c -> lockedPublish(c, issuerSha256, thisUpdate, nextUpdate, signing));
      } catch (SigningFailed e) {
        @SuppressWarnings("unchecked")
        E cause = (E) e.getCause();
        throw cause;
      } catch (StoreException e) {
        // Two first CRLs at once: one insert of the row wins, the other runs again and locks it.
        if (attempt < 2 && Store.isUniqueViolation(e)) {
          continue;
        }
        throw e;
      }
    }
  }

  private static <E extends Exception> CrlState lockedPublish(Connection c, String issuerSha256, Instant thisUpdate,
      Instant nextUpdate, CrlSigning<E> signing) throws SQLException {
    long last;
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT crl_number FROM crl_state WHERE issuer_sha256 = ? FOR UPDATE")) {
      ps.setString(1, issuerSha256);
      try (ResultSet rs = ps.executeQuery()) {
        last = rs.next() ? rs.getLong(1) : -1;
      }
    }
    if (last < 0) {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO crl_state (issuer_sha256, crl_number, this_update, next_update) VALUES (?, 0, ?, ?)")) {
        ps.setString(1, issuerSha256);
        Jdbc.setInstant(ps, 2, thisUpdate);
        Jdbc.setInstant(ps, 3, nextUpdate);
        ps.executeUpdate(); // the new row is locked by this transaction until it commits
      }
      last = 0;
    }
    List<IssuedCertificateRecord> revoked = revokedBy(c, issuerSha256);
    SignedCrl signed;
    try {
      signed = signing.publish(last, revoked);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new SigningFailed(e);
    }
    long number = signed.number();
    if (number <= last) {
      throw new IllegalStateException("CRL number " + number + " is not above the last one, " + last);
    }
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE crl_state SET crl_number = ?, this_update = ?, next_update = ?, crl_der = ? WHERE issuer_sha256 = ?")) {
      ps.setLong(1, number);
      Jdbc.setInstant(ps, 2, thisUpdate);
      Jdbc.setInstant(ps, 3, nextUpdate);
      ps.setBytes(4, signed.der());
      ps.setString(5, issuerSha256);
      ps.executeUpdate();
    }
    return new CrlState(issuerSha256, number, thisUpdate, nextUpdate);
  }

  /** Carries the checked exception of a {@link CrlSigning} through the transaction, which rolls back. */
  private static final class SigningFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SigningFailed(Exception cause) {
      super(cause);
    }
  }

  private static IssuedCertificateRecord read(ResultSet rs) throws SQLException {
    return new IssuedCertificateRecord(
        rs.getString("serial"),
        rs.getString("sha256"),
        rs.getString("issuer_sha256"),
        rs.getString("profile"),
        Jdbc.getInstant(rs, "issued_at"),
        Optional.ofNullable(Jdbc.getInstant(rs, "revoked_at")),
        Optional.ofNullable(rs.getString("revocation_reason")));
  }
}
