package io.certkeeper.report;

import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import io.certkeeper.store.WatchedFileRepository;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The watched certificate files as {@code certkeeper files --json} and {@code GET /api/v1/files}
 * show them: each file's certificates judged by its entry's thresholds, its problem, and the
 * endpoints whose served certificate differs from it (stale deploys).
 */
public final class FileListing {
  private FileListing() {}

  /**
   * One watched file.
   *
   * @param status the worst of its certificates ({@code ok}, {@code warning}, {@code critical},
   *     {@code expired}), {@code problem} when it could not be read, or {@code stale} when an
   *     endpoint serves another certificate than its leaf
   */
  public record ListedFile(String node, String path, String status, String format, String problemCode, String problem,
      Instant problemSince, Instant readAt, Long sizeBytes, Instant modifiedAt, Map<String, String> labels,
      List<String> owners, List<Held> certificates, List<Stale> staleDeploys) {}

  /** A certificate in a file, with its place ({@code #1}, an alias). */
  public record Held(String place, String sha256, String subject, String issuer, String serial, Instant notAfter,
      long daysLeft, String severity, boolean ca) {}

  /** An endpoint serving another certificate than the file's leaf. */
  public record Stale(String endpoint, String servedSha256, Instant servedNotAfter, String link, boolean fileIsNewer) {}

  /** The files of {@code node} (every node's when empty), by node and path. */
  public static List<ListedFile> list(Store store, Optional<String> node, String thisNode, Instant now)
      throws StoreException {
    WatchedFileRepository repo = new WatchedFileRepository(store, node.orElse(thisNode));
    List<WatchedFileRepository.WatchedFile> files = repo.list(node);
    List<WatchedFileRepository.StaleDeploy> stale = new ArrayList<>();
    for (String n : files.stream().map(WatchedFileRepository.WatchedFile::node).distinct().toList()) {
      stale.addAll(new WatchedFileRepository(store, n).staleDeploys(
          files.stream().filter(f -> f.node().equals(n)).toList()));
    }
    List<ListedFile> out = new ArrayList<>();
    for (WatchedFileRepository.WatchedFile f : files) {
      WatchedFileRepository.FileSettings settings = f.parsedSettings();
      Duration warning = settings.warning();
      Duration critical = settings.critical();
      List<Held> held = new ArrayList<>();
      String worst = "ok";
      for (WatchedFileRepository.Entry e : f.entries()) {
        String sev = InventoryPage.severity(e.notAfter(), now, warning, critical);
        worst = rank(sev) > rank(worst) ? sev : worst;
        held.add(new Held(e.place(), e.sha256(), e.subject(), e.issuer(), e.serial(), e.notAfter(),
            Math.floorDiv(Duration.between(now, e.notAfter()).toSeconds(), 86_400L), sev, e.ca()));
      }
      List<Stale> stales = stale.stream().filter(s -> s.node().equals(f.node()) && s.path().equals(f.path()))
          .map(s -> new Stale(s.endpointId(), s.servedSha256(), s.servedNotAfter(), s.link(), s.fileIsNewer())).toList();
      String status = f.problemCode().isPresent() ? "problem" : !stales.isEmpty() && worst.equals("ok") ? "stale" : worst;
      out.add(new ListedFile(f.node(), f.path(), status, f.format().orElse(null), f.problemCode().orElse(null),
          f.problem().orElse(null), f.problemSince().orElse(null), f.readAt(), f.size().orElse(null),
          f.modified().orElse(null), settings.labels(), settings.owners(), held, stales));
    }
    return out;
  }

  /** Severity order: ok, warning, critical, expired. */
  static int rank(String severity) {
    return switch (severity) {
      case "warning" -> 1;
      case "critical" -> 2;
      case "expired" -> 3;
      default -> 0;
    };
  }
}
