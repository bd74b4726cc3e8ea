package io.certkeeper.report;

import io.certkeeper.store.CertificateRecord;
import io.certkeeper.store.CertificateRepository;
import io.certkeeper.store.EndpointState;
import io.certkeeper.store.ListenerState;
import io.certkeeper.store.ListenerStateRepository;
import io.certkeeper.store.ManagedCertificateRepository;
import io.certkeeper.store.ManagedState;
import io.certkeeper.store.ProbeResultRepository;
import io.certkeeper.store.WatchedFileRepository;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import io.certkeeper.x509.CertificateInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One page of the inventory for the dashboard ({@code GET /api/v1/inventory}): certificates sorted
 * by time left, filtered and searched in the store, with where each is seen (endpoints, listeners,
 * managed certificates), and the cursor of the next page. Paging is by position (expiry, then
 * fingerprint), so a page costs the same at row 100,000 as at row 1.
 */
public final class InventoryPage {
  /** A cursor's time lies in the years certificates can name (RFC 5280: 1950 to 9999). */
  private static final long EARLIEST = Instant.parse("1950-01-01T00:00:00Z").toEpochMilli();
  private static final long LATEST = Instant.parse("9999-12-31T23:59:59Z").toEpochMilli();

  /** Most rows a page holds. */
  public static final int MAX_LIMIT = 500;

  private InventoryPage() {}

  /**
   * What the table shows of a certificate.
   *
   * @param severity {@code expired}, {@code critical}, {@code warning} or {@code ok} by time left
   * @param lifetimeUsed percent of the validity period that has passed (0..100)
   * @param managed the managed certificates (NODE/NAME, or NAME on a single node) it is in force for
   * @param endpoints the endpoints whose last probe saw it, with their status
   * @param listeners the daemon listeners (NODE/NAME) that serve it
   * @param problems the problem codes of the endpoints that serve it
   * @param files the watched files that hold it ({@code path place}, the place being {@code #N} in a
   *     bundle or the keystore alias)
   */
  public record Row(String sha256, String commonName, String subject, List<String> sans, String issuer, String serial,
      String source, Instant notBefore, Instant notAfter, String severity, int lifetimeUsed, List<String> managed,
      List<Seen> endpoints, List<String> listeners, List<String> problems, List<String> files) {}

  /** An endpoint that serves a certificate, and how its last probe went. */
  public record Seen(String endpoint, String status, Instant lastProbeAt) {}

  /** The page, and the cursor of the next one (null on the last page). */
  public record Page(List<Row> rows, String next) {}

  /**
   * The filter of a page; every part optional.
   *
   * @param within only certificates not expired and expiring within this (the timeline's 90 days)
   * @param latestFirst the latest expiry first, instead of the soonest
   */
  public record Query(Optional<String> text, Optional<String> severity, Optional<CertificateRecord.Source> source,
      Optional<Duration> within, boolean latestFirst) {
    /** Soonest expiry first. */
    public Query(Optional<String> text, Optional<String> severity, Optional<CertificateRecord.Source> source,
        Optional<Duration> within) {
      this(text, severity, source, within, false);
    }
  }

  /**
   * The page after {@code cursor} (the first page when empty).
   *
   * @param warning how much time left is a warning; {@code critical} the same for critical
   * @throws IllegalArgumentException for a cursor this did not make, or an unknown severity
   */
  public static Page page(Store store, Query q, Optional<String> cursor, int limit, Instant now, Duration warning,
      Duration critical) throws StoreException {
    Optional<Instant> from = Optional.empty();
    Optional<Instant> to = Optional.empty();
    if (q.severity().isPresent()) {
      switch (q.severity().get()) {
        case "expired" -> to = Optional.of(now);
        case "critical" -> {
          from = Optional.of(now);
          to = Optional.of(now.plus(critical));
        }
        case "warning" -> {
          from = Optional.of(now.plus(critical));
          to = Optional.of(now.plus(warning));
        }
        case "ok" -> from = Optional.of(now.plus(warning));
        default -> throw new IllegalArgumentException(
            "severity must be expired, critical, warning or ok, got '" + q.severity().get() + "'");
      }
    }
    if (q.within().isPresent()) {
      Instant end = now.plus(q.within().get());
      from = Optional.of(from.filter(f -> f.isAfter(now)).orElse(now));
      to = Optional.of(to.filter(t -> t.isBefore(end)).orElse(end));
    }
    List<CertificateRecord> certs = new CertificateRepository(store).page(q.source(), from, to,
        q.text().filter(t -> !t.isBlank()).map(String::trim), cursor.map(InventoryPage::position), limit + 1,
        q.latestFirst());
    boolean more = certs.size() > limit;
    if (more) {
      certs = certs.subList(0, limit);
    }
    List<String> shas = certs.stream().map(c -> c.info().sha256()).toList();
    Map<String, List<EndpointState>> endpoints = new ProbeResultRepository(store).serving(shas);
    Map<String, List<String>> listeners = ListenerStateRepository.everyNode(store).stream()
        .filter(l -> shas.contains(l.sha256()))
        .collect(Collectors.groupingBy(ListenerState::sha256,
            Collectors.mapping(l -> l.node().isEmpty() ? l.name() : l.node() + "/" + l.name(), Collectors.toList())));
    Map<String, List<String>> managed = ManagedCertificateRepository.everyNode(store).stream()
        .filter(m -> shas.contains(m.sha256()))
        .collect(Collectors.groupingBy(ManagedState::sha256,
            Collectors.mapping(m -> m.node().isEmpty() ? m.name() : m.node() + "/" + m.name(), Collectors.toList())));
    Map<String, List<WatchedFileRepository.Location>> files = WatchedFileRepository.locationsOf(store, shas);
    List<Row> rows = new ArrayList<>();
    for (CertificateRecord c : certs) {
      rows.add(row(c, endpoints.getOrDefault(c.info().sha256(), List.of()),
          listeners.getOrDefault(c.info().sha256(), List.of()), managed.getOrDefault(c.info().sha256(), List.of()),
          files.getOrDefault(c.info().sha256(), List.of()), now, warning, critical));
    }
    String next = more ? cursor(certs.get(certs.size() - 1)) : null;
    return new Page(rows, next);
  }

  /** Certificates shown with the same key at most. */
  public static final int MAX_SAME_KEY = 50;

  /**
   * The other certificates with {@code c}'s key, each with where it is seen (files, endpoints,
   * listeners), latest expiry first: "this key is deployed in these files, served by these endpoints".
   */
  public static List<Row> sameKey(Store store, CertificateRecord c, Instant now, Duration warning, Duration critical)
      throws StoreException {
    List<Row> out = new ArrayList<>();
    for (CertificateRecord other : new CertificateRepository(store).withKey(c.info().spkiSha256(), MAX_SAME_KEY + 1)) {
      if (!other.info().sha256().equals(c.info().sha256()) && out.size() < MAX_SAME_KEY) {
        out.add(rowOf(store, other, now, warning, critical));
      }
    }
    return out;
  }

  /** The row of one certificate, with where it is seen. */
  public static Row rowOf(Store store, CertificateRecord c, Instant now, Duration warning, Duration critical)
      throws StoreException {
    String sha = c.info().sha256();
    List<EndpointState> endpoints = new ProbeResultRepository(store).serving(List.of(sha)).getOrDefault(sha, List.of());
    List<String> listeners = ListenerStateRepository.everyNode(store).stream().filter(l -> sha.equals(l.sha256()))
        .map(l -> l.node().isEmpty() ? l.name() : l.node() + "/" + l.name()).toList();
    List<String> managed = ManagedCertificateRepository.everyNode(store).stream().filter(m -> sha.equals(m.sha256()))
        .map(m -> m.node().isEmpty() ? m.name() : m.node() + "/" + m.name()).toList();
    List<WatchedFileRepository.Location> files = WatchedFileRepository.locationsOf(store, List.of(sha))
        .getOrDefault(sha, List.of());
    return row(c, endpoints, listeners, managed, files, now, warning, critical);
  }

  static Row row(CertificateRecord c, List<EndpointState> endpoints, List<String> listeners, List<String> managed,
      List<WatchedFileRepository.Location> files, Instant now, Duration warning, Duration critical) {
    CertificateInfo i = c.info();
    long life = Math.max(1, Duration.between(i.notBefore(), i.notAfter()).toSeconds());
    long used = Duration.between(i.notBefore(), now).toSeconds();
    int percent = (int) Math.max(0, Math.min(100, used * 100 / life));
    List<String> problems = endpoints.stream().flatMap(e -> e.problems().stream()).distinct().sorted().toList();
    return new Row(i.sha256(), i.subjectCommonName(), i.subject(), i.sans(), i.issuer(), i.serial(), c.source().code(),
        i.notBefore(), i.notAfter(), severity(i.notAfter(), now, warning, critical), percent, managed,
        endpoints.stream().map(e -> new Seen(e.endpointId(), e.status(), e.lastProbeAt())).toList(), listeners,
        problems, files.stream().map(InventoryPage::file).toList());
  }

  /** A file location as the table shows it. */
  static String file(WatchedFileRepository.Location l) {
    return l.path() + " " + l.place();
  }

  /** {@code expired}, {@code critical}, {@code warning} or {@code ok}. */
  public static String severity(Instant notAfter, Instant now, Duration warning, Duration critical) {
    if (!notAfter.isAfter(now)) {
      return "expired";
    }
    if (!notAfter.isAfter(now.plus(critical))) {
      return "critical";
    }
    return notAfter.isAfter(now.plus(warning)) ? "ok" : "warning";
  }

  private static String cursor(CertificateRecord last) {
    String raw = last.info().notAfter().toEpochMilli() + ":" + last.info().sha256();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.US_ASCII));
  }

  private static CertificateRepository.Position position(String cursor) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
      int colon = raw.indexOf(':');
      String sha = raw.substring(colon + 1);
      if (colon < 1 || !sha.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException("bad cursor");
      }
      long millis = Long.parseLong(raw.substring(0, colon));
      if (millis < EARLIEST || millis > LATEST) {
        throw new IllegalArgumentException("bad cursor");
      }
      return new CertificateRepository.Position(Instant.ofEpochMilli(millis), sha);
    } catch (IllegalArgumentException | java.time.DateTimeException e) {
      throw new IllegalArgumentException("cursor: not one this server made");
    }
  }
}
