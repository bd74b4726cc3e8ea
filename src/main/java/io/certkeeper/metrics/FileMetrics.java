package io.certkeeper.metrics;

import io.certkeeper.store.WatchedFileRepository.Entry;
import io.certkeeper.store.WatchedFileRepository.WatchedFile;
import java.util.List;

/**
 * The watched certificate files ({@code files:}) of this node: one series per certificate in a
 * file (path and place), and one per file that could not be read, so that the number of series
 * follows what the files hold.
 */
final class FileMetrics {
  private FileMetrics() {}

  static void addTo(Exposition e, List<WatchedFile> files) {
    Exposition.Family notAfter = e.gauge("certkeeper_file_certificate_not_after_timestamp_seconds",
        "When a certificate in a watched file expires (notAfter), in seconds since the epoch.",
        "path", "place", "subject", "issuer", "serial");
    Exposition.Family problem = e.gauge("certkeeper_file_problem",
        "1 for a watched file that could not be read at its last rescan, by problem code (absent when it was).",
        "path", "code");
    for (WatchedFile f : files) {
      if (f.problemCode().isPresent()) {
        problem.add(1, f.path(), f.problemCode().get());
        continue;
      }
      for (Entry c : f.entries()) {
        notAfter.add(StoreMetrics.seconds(c.notAfter()), f.path(), c.place(), StoreMetrics.commonName(c.subject()),
            StoreMetrics.commonName(c.issuer()), c.serial());
      }
    }
  }
}
