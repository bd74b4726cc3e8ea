package io.certkeeper.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.certkeeper.util.Json;
import io.certkeeper.x509.CertificateInfo;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** The {@code certificates} table: every certificate issued or observed, by SHA-256 fingerprint. */
public final class CertificateRepository {
  private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {};

  private final Scope scope;

  public CertificateRepository(Store store) {
    this(Scope.perCall(store));
  }

  CertificateRepository(Scope scope) {
    this.scope = Objects.requireNonNull(scope, "scope");
  }

  /**
   * Records {@code cert} as seen at {@code now}: inserted with first_seen = last_seen = now, or, when
   * known already, last_seen moved forward. A row keeps the strongest source it was recorded with
   * ({@link CertificateRecord.Source#outranks}): issued stays issued, a file's certificate seen on an
   * endpoint becomes observed.
   */
  public CertificateInfo upsert(X509Certificate cert, CertificateRecord.Source source, Instant now)
      throws StoreException {
    return scope.run(c -> upsert(c, cert, source, now));
  }

  /** Per source: moves last_seen of a row known from that source or a stronger one (the probe's hot path). */
  private static final java.util.Map<CertificateRecord.Source, String> TOUCH_KNOWN = touchKnown();

  private static java.util.Map<CertificateRecord.Source, String> touchKnown() {
    java.util.Map<CertificateRecord.Source, String> out = new java.util.EnumMap<>(CertificateRecord.Source.class);
    for (CertificateRecord.Source source : CertificateRecord.Source.values()) {
      List<String> known = new ArrayList<>();
      for (CertificateRecord.Source s : CertificateRecord.Source.values()) {
        if (!source.outranks(s)) {
          known.add("'" + s.code() + "'");
        }
      }
      out.put(source, "UPDATE certificates SET last_seen = ? WHERE sha256 = ? AND last_seen <= ? AND source IN ("
          + String.join(", ", known) + ")");
    }
    return out;
  }

  /** As {@link #upsert(X509Certificate, CertificateRecord.Source, Instant)} on a caller's connection. */
  static CertificateInfo upsert(Connection c, X509Certificate cert, CertificateRecord.Source source, Instant now)
      throws SQLException {
    return upsert(c, CertificateRow.factsOnly(cert), source, now);
  }

  /** As {@link #upsert(Connection, X509Certificate, CertificateRecord.Source, Instant)} for a prepared row. */
  static CertificateInfo upsert(Connection c, CertificateRow row, CertificateRecord.Source source, Instant now)
      throws SQLException {
    CertificateInfo info = row.info();
    if (source == CertificateRecord.Source.ISSUED) {
      // a certificate just signed is new (the usual case of issuance): the insert, and only when the
      // key is taken (observed before, issued now) the row changes source and the counts follow
      insertOrTouch(c, row, source, now);
      return info;
    }
    // the usual case of a probe or a rescan: known already, from this source or a stronger one
    try (PreparedStatement ps = c.prepareStatement(TOUCH_KNOWN.get(source))) {
      Jdbc.setInstant(ps, 1, now);
      ps.setString(2, info.sha256());
      Jdbc.setInstant(ps, 3, now);
      if (ps.executeUpdate() == 1) {
        return info;
      }
    }
    if (promote(c, info, source, now)) {
      return info;
    }
    if (exists(c, info.sha256())) {
      // inserted meanwhile by another writer, or seen already at a later time
      promote(c, info, source, now);
      touch(c, info.sha256(), now);
      return info;
    }
    insertOrTouch(c, row, source, now);
    return info;
  }

  /**
   * Inserts the row and counts it. Another writer may insert the same certificate at the same
   * moment: the primary key decides, and the loser only moves last_seen (a savepoint keeps
   * PostgreSQL's transaction usable).
   */
  private static void insertOrTouch(Connection c, CertificateRow row, CertificateRecord.Source source, Instant now)
      throws SQLException {
    CertificateInfo info = row.info();
    Savepoint sp = c.setSavepoint();
    try {
      insert(c, row, source, now);
      c.releaseSavepoint(sp);
      count(c, source.code(), info.notAfter(), 1);
    } catch (SQLException e) {
      if (!Store.isUniqueViolation(e)) {
        throw e;
      }
      c.rollback(sp);
      promote(c, info, source, now);
      touch(c, info.sha256(), now);
    }
  }

  /**
   * A row of a weaker source than {@code to} takes {@code to}, and the counts follow; whether one
   * did. One statement per weaker source: each checks the source it replaces, so two writers never
   * move the same count twice.
   */
  private static boolean promote(Connection c, CertificateInfo info, CertificateRecord.Source to, Instant now)
      throws SQLException {
    for (CertificateRecord.Source from : CertificateRecord.Source.values()) {
      if (!to.outranks(from)) {
        continue;
      }
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE certificates SET source = ?, last_seen = CASE WHEN last_seen < ? THEN ? ELSE last_seen END"
              + " WHERE sha256 = ? AND source = ?")) {
        ps.setString(1, to.code());
        Jdbc.setInstant(ps, 2, now);
        Jdbc.setInstant(ps, 3, now);
        ps.setString(4, info.sha256());
        ps.setString(5, from.code());
        if (ps.executeUpdate() == 1) {
          count(c, from.code(), info.notAfter(), -1);
          count(c, to.code(), info.notAfter(), 1);
          return true;
        }
      }
    }
    return false;
  }

  /** The UTC day a certificate expiring at {@code notAfter} is counted under. */
  static long day(Instant notAfter) {
    return Math.floorDiv(notAfter.getEpochSecond(), SECONDS_PER_DAY);
  }

  private static final long SECONDS_PER_DAY = 86_400L;

  /**
   * Adds {@code delta} to the count of {@code source} certificates expiring on {@code notAfter}'s
   * day, in the caller's transaction. The first certificate of a day inserts the row; when another
   * writer inserts it at the same moment, the primary key decides and this one adds to theirs.
   */
  private static void count(Connection c, String source, Instant notAfter, long delta) throws SQLException {
    Counts.add(c, "certificate_counts", "source", source, "not_after_day", day(notAfter), delta);
  }

  /** Moves last_seen forward to {@code now}, never back. */
  private static void touch(Connection c, String sha256, Instant now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE certificates SET last_seen = ? WHERE sha256 = ? AND last_seen < ?")) {
      Jdbc.setInstant(ps, 1, now);
      ps.setString(2, sha256);
      Jdbc.setInstant(ps, 3, now);
      ps.executeUpdate();
    }
  }

  private static void insert(Connection c, CertificateRow row, CertificateRecord.Source source, Instant now)
      throws SQLException {
    CertificateInfo info = row.info();
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO certificates (sha256, subject, issuer, serial, not_before, not_after, key_algorithm,"
            + " key_size, signature_algorithm, sans, spki_sha256, is_ca, pem, source, first_seen, last_seen)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      int i = 1;
      ps.setString(i++, info.sha256());
      ps.setString(i++, truncate(info.subject(), 4000));
      ps.setString(i++, truncate(info.issuer(), 4000));
      ps.setString(i++, truncate(info.serial(), 128)); // RFC 5280 allows 20 octets; a hostile one is cut
      Jdbc.setInstant(ps, i++, info.notBefore());
      Jdbc.setInstant(ps, i++, info.notAfter());
      ps.setString(i++, truncate(info.keyAlgorithm(), 32));
      ps.setInt(i++, info.keySize());
      ps.setString(i++, truncate(info.signatureAlgorithm(), 64));
      ps.setString(i++, row.sansText());
      ps.setString(i++, info.spkiSha256());
      ps.setBoolean(i++, info.ca());
      ps.setString(i++, row.pemText());
      ps.setString(i++, source.code());
      Jdbc.setInstant(ps, i++, now);
      Jdbc.setInstant(ps, i++, now);
      ps.executeUpdate();
    }
  }

  private static boolean exists(Connection c, String sha256) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM certificates WHERE sha256 = ?")) {
      ps.setString(1, sha256);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** The certificate with this fingerprint. */
  public Optional<CertificateRecord> find(String sha256) throws StoreException {
    return scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT * FROM certificates WHERE sha256 = ?")) {
        ps.setString(1, sha256);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(read(rs)) : Optional.<CertificateRecord>empty();
        }
      }
    });
  }

  /** Subject, issuer, expiry and source of the certificate with this fingerprint, if it is known. */
  public Optional<CertificateBrief> brief(String sha256) throws StoreException {
    return Optional.ofNullable(briefs(List.of(sha256)).get(sha256));
  }

  /** {@link #brief} of each of {@code sha256s} that is known, by fingerprint. */
  public Map<String, CertificateBrief> briefs(Collection<String> sha256s) throws StoreException {
    return scope.run(c -> {
      Map<String, CertificateBrief> out = new HashMap<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT subject, issuer, not_after, source FROM certificates WHERE sha256 = ?")) {
        for (String sha : sha256s) {
          ps.setString(1, sha);
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              out.put(sha, new CertificateBrief(sha, rs.getString("subject"), rs.getString("issuer"),
                  Jdbc.getInstant(rs, "not_after"), CertificateRecord.Source.ofCode(rs.getString("source"))));
            }
          }
        }
      }
      return out;
    });
  }

  /**
   * Certificates by source (all when empty) whose notAfter is before {@code notAfterBefore} (all
   * when empty), soonest expiry first, at most {@code limit}. Source
   * {@link CertificateRecord.Source#FILE} means found in a watched file, whatever else is known of
   * it (see {@link #sourceFilter}).
   *
   * @throws IllegalArgumentException when {@code limit} is below 1
   */
  public List<CertificateRecord> list(Optional<CertificateRecord.Source> source, Optional<Instant> notAfterBefore,
      int limit) throws StoreException {
    StringBuilder sql = new StringBuilder("SELECT * FROM certificates WHERE 1 = 1");
    source.ifPresent(s -> sql.append(sourceFilter(s)));
    notAfterBefore.ifPresent(t -> sql.append(" AND not_after < ?"));
    sql.append(expiryOrder(source, "")).append(fetchFirst(limit));
    return scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        int i = 1;
        if (bySourceColumn(source)) {
          ps.setString(i++, source.get().code());
        }
        if (notAfterBefore.isPresent()) {
          Jdbc.setInstant(ps, i++, notAfterBefore.get());
        }
        List<CertificateRecord> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(read(rs));
          }
        }
        return out;
      }
    });
  }

  /**
   * The certificates with the key {@code spkiSha256} (latest expiry first, at most {@code limit},
   * without their PEM): the same key deployed, renewed or served under other certificates.
   */
  public List<CertificateRecord> withKey(String spkiSha256, int limit) throws StoreException {
    return scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT sha256, subject, issuer, serial, not_before, not_after,"
          + " key_algorithm, key_size, signature_algorithm, sans, spki_sha256, is_ca, source, first_seen, last_seen,"
          + " '' AS pem FROM certificates WHERE spki_sha256 = ? ORDER BY not_after DESC, sha256")) {
        ps.setString(1, spkiSha256);
        ps.setMaxRows(limit);
        List<CertificateRecord> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(read(rs));
          }
        }
        return out;
      }
    });
  }

  /**
   * The condition for {@code source}: issued and observed are the row's source; file is every
   * certificate found in a watched file, so that {@code list --source file} shows a file's issued
   * certificate too. The first two take the source as a parameter.
   */
  private static String sourceFilter(CertificateRecord.Source source) {
    return source == CertificateRecord.Source.FILE
        ? " AND EXISTS (SELECT 1 FROM file_certificates f WHERE f.sha256 = certificates.sha256)"
        : " AND source = ?";
  }

  /**
   * Expiry order, then fingerprint ({@code dir} empty or {@code " DESC"}), spelled as the index
   * {@code (not_after)} or, with one source, {@code (source, not_after)} begins, so that the
   * database walks that index in order (or backwards) and sorts only the rows that share a notAfter
   * (H2's partial sort of an index-ordered prefix, PostgreSQL 13+'s incremental sort): with a limit
   * it stops after the page and the rows that share its last notAfter. There is no index on
   * {@code (not_after, sha256)} (schema 23): the certificates issued in one second share a notAfter,
   * so by fingerprint they fell at random in it, and H2 rewrote a page of it for each of them at
   * every commit.
   */
  private static String expiryOrder(Optional<CertificateRecord.Source> source, String dir) {
    return (bySourceColumn(source) ? " ORDER BY source" + dir + ", not_after" : " ORDER BY not_after") + dir
        + ", sha256" + dir;
  }

  /** Whether {@code source} is a value of the source column (file is not: see {@link #sourceFilter}). */
  private static boolean bySourceColumn(Optional<CertificateRecord.Source> source) {
    return source.isPresent() && source.get() != CertificateRecord.Source.FILE;
  }

  /** The limit in the statement itself, so that the database plans for it (at least 1). */
  private static String fetchFirst(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    return " FETCH FIRST " + limit + " ROWS ONLY";
  }

  /**
   * A page of the inventory, soonest expiry first (then by fingerprint): the certificates after
   * {@code after} (a position {@code notAfter, sha256} from the last row of the page before) that
   * match {@code source} (any when empty), expire in {@code (notAfterFrom, notAfterTo]} (open ends
   * when empty) and contain {@code text} (case-insensitive, in the subject, a SAN, the serial or
   * the fingerprint) when given, at most {@code limit}. The records come without their PEM
   * ({@link #find} has it).
   *
   * @throws IllegalArgumentException when {@code limit} is below 1
   */
  public List<CertificateRecord> page(Optional<CertificateRecord.Source> source, Optional<Instant> notAfterFrom,
      Optional<Instant> notAfterTo, Optional<String> text, Optional<Position> after, int limit) throws StoreException {
    return page(source, notAfterFrom, notAfterTo, text, after, limit, false);
  }

  /**
   * As {@link #page(Optional, Optional, Optional, Optional, Optional, int)}, latest expiry first
   * when {@code latestFirst} ({@code after} is then the position the page before ended at, in
   * that order).
   */
  public List<CertificateRecord> page(Optional<CertificateRecord.Source> source, Optional<Instant> notAfterFrom,
      Optional<Instant> notAfterTo, Optional<String> text, Optional<Position> after, int limit, boolean latestFirst)
      throws StoreException {
    // every column but the PEM (a page does not show it; rows without it stay small while the
    // database sorts those that share a notAfter): the records' pem is empty
    StringBuilder sql = new StringBuilder("SELECT sha256, subject, issuer, serial, not_before, not_after, key_algorithm,"
        + " key_size, signature_algorithm, sans, spki_sha256, is_ca, source, first_seen, last_seen, '' AS pem"
        + " FROM certificates WHERE 1 = 1");
    source.ifPresent(s -> sql.append(sourceFilter(s)));
    notAfterFrom.ifPresent(t -> sql.append(" AND not_after > ?"));
    notAfterTo.ifPresent(t -> sql.append(" AND not_after <= ?"));
    text.ifPresent(t -> sql.append(" AND (LOWER(subject) LIKE ? ESCAPE '!' OR LOWER(sans) LIKE ? ESCAPE '!'"
        + " OR LOWER(serial) LIKE ? ESCAPE '!' OR sha256 LIKE ? ESCAPE '!')"));
    String cmp = latestFirst ? "<" : ">";
    // the first comparison alone starts the index range at the position; the rest picks after it
    after.ifPresent(a -> sql.append(" AND not_after " + cmp + "= ?"
        + " AND (not_after " + cmp + " ? OR (not_after = ? AND sha256 " + cmp + " ?))"));
    sql.append(expiryOrder(source, latestFirst ? " DESC" : "")).append(fetchFirst(limit));
    return scope.run(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        int i = 1;
        if (bySourceColumn(source)) {
          ps.setString(i++, source.get().code());
        }
        if (notAfterFrom.isPresent()) {
          Jdbc.setInstant(ps, i++, notAfterFrom.get());
        }
        if (notAfterTo.isPresent()) {
          Jdbc.setInstant(ps, i++, notAfterTo.get());
        }
        if (text.isPresent()) {
          String like = "%" + text.get().toLowerCase(java.util.Locale.ROOT).replace("!", "!!").replace("%", "!%")
              .replace("_", "!_") + "%";
          for (int k = 0; k < 4; k++) {
            ps.setString(i++, like);
          }
        }
        if (after.isPresent()) {
          Jdbc.setInstant(ps, i++, after.get().notAfter());
          Jdbc.setInstant(ps, i++, after.get().notAfter());
          Jdbc.setInstant(ps, i++, after.get().notAfter());
          ps.setString(i++, after.get().sha256());
        }
        List<CertificateRecord> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(read(rs));
          }
        }
        return out;
      }
    });
  }

  /** Where a page of {@link #page} ended: the last row's expiry and fingerprint. */
  public record Position(Instant notAfter, String sha256) {}

  /** Counts for {@code status}: by source, expired at {@code now}, expiring before {@code soon}. */
  public Summary summary(Instant now, Instant soon) throws StoreException {
    return scope.run(c -> {
      // Whole days come from certificate_counts; only the days that now and soon fall in are
      // counted row by row (through the not_after index), so the cost does not grow with the table.
      long today = day(now);
      long soonDay = day(soon);
      long issued = 0;
      long observed = 0;
      long files = 0;
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT source, SUM(n) FROM certificate_counts GROUP BY source");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (CertificateRecord.Source.ISSUED.code().equals(rs.getString(1))) {
            issued += rs.getLong(2);
          } else if (CertificateRecord.Source.FILE.code().equals(rs.getString(1))) {
            files += rs.getLong(2);
          } else {
            observed += rs.getLong(2);
          }
        }
      }
      long expired = countedDays(c, Long.MIN_VALUE, today)
          + rows(c, startOf(today), true, now, true);
      long expiring;
      if (!soon.isAfter(now)) {
        expiring = 0;
      } else if (soonDay == today) {
        expiring = rows(c, now, false, soon, true);
      } else {
        expiring = rows(c, now, false, startOf(today + 1), false)
            + countedDays(c, today + 1, soonDay)
            + rows(c, startOf(soonDay), true, soon, true);
      }
      return new Summary(issued + observed + files, issued, observed, files, expired, expiring);
    });
  }

  private static Instant startOf(long day) {
    return Instant.ofEpochSecond(day * SECONDS_PER_DAY);
  }

  /** Certificates counted under days {@code from} (inclusive) to {@code to} (exclusive). */
  private static long countedDays(Connection c, long from, long to) throws SQLException {
    if (from >= to) {
      return 0;
    }
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT COALESCE(SUM(n), 0) FROM certificate_counts WHERE not_after_day >= ? AND not_after_day < ?")) {
      ps.setLong(1, from);
      ps.setLong(2, to);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Certificates whose not_after lies between {@code from} and {@code to}, each end included or not. */
  private static long rows(Connection c, Instant from, boolean fromIncluded, Instant to, boolean toIncluded)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM certificates WHERE not_after "
        + (fromIncluded ? ">=" : ">") + " ? AND not_after " + (toIncluded ? "<=" : "<") + " ?")) {
      Jdbc.setInstant(ps, 1, from);
      Jdbc.setInstant(ps, 2, to);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /**
   * Certificate counts; see {@link #summary}. Each certificate counts under its strongest source
   * ({@code file}: known from files only).
   */
  public record Summary(long total, long issued, long observed, long file, long expired, long expiringSoon) {}

  private static CertificateRecord read(ResultSet rs) throws SQLException {
    CertificateInfo info = new CertificateInfo(
        rs.getString("sha256"),
        rs.getString("subject"),
        rs.getString("issuer"),
        rs.getString("serial"),
        Jdbc.getInstant(rs, "not_before"),
        Jdbc.getInstant(rs, "not_after"),
        rs.getString("key_algorithm"),
        rs.getInt("key_size"),
        rs.getString("signature_algorithm"),
        fromJson(rs.getString("sans")),
        rs.getString("spki_sha256"),
        rs.getBoolean("is_ca"));
    return new CertificateRecord(info, CertificateRecord.Source.ofCode(rs.getString("source")),
        Jdbc.getInstant(rs, "first_seen"), Jdbc.getInstant(rs, "last_seen"), rs.getString("pem"));
  }

  private static List<String> fromJson(String json) throws SQLException {
    try {
      return Json.mapper().readValue(json, STRING_LIST);
    } catch (JsonProcessingException e) {
      throw new SQLException("corrupt sans column: " + e.getOriginalMessage(), e);
    }
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}
