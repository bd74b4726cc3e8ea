package io.certkeeper.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.store.EndpointChange;
import io.certkeeper.store.ProbeHistoryEntry;
import io.certkeeper.store.ProbeRecord;
import io.certkeeper.store.ProbeResultRepository;
import io.certkeeper.store.Store;
import io.certkeeper.testing.OpenSsl;
import io.certkeeper.testing.StoreBackend;
import io.certkeeper.x509.Pem;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EndpointListingTest {
  private static final String ENDPOINT = "api.example:443";
  private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

  @TempDir Path dir;

  /**
   * A history read while probes are recorded does not show a change without the result that saw it
   * (with a limit that covers both, and before retention prunes results): the reader of
   * {@code endpoint history} and the dashboard compare the two.
   */
  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void everyChangeInAHistoryComesWithTheResultThatSawIt(StoreBackend backend) throws Exception {
    X509Certificate one = Pem.readCertificates(OpenSsl.selfSigned(dir, "one", "one.example", 30)).get(0);
    X509Certificate two = Pem.readCertificates(OpenSsl.selfSigned(dir, "two", "two.example", 30)).get(0);
    int probes = 400;
    try (Store store = backend.open(dir)) {
      ProbeResultRepository results = new ProbeResultRepository(store);
      AtomicBoolean writing = new AtomicBoolean(true);
      CountDownLatch firstRead = new CountDownLatch(1);
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        try {
          firstRead.await(60, TimeUnit.SECONDS); // the reads overlap the writes from the first one on
          for (int i = 0; i < probes; i++) {
            X509Certificate leaf = i % 2 == 0 ? one : two;
            results.record(new ProbeRecord(ENDPOINT, T0.plusSeconds(i), "ok", List.of(), "ok",
                Optional.of("192.0.2.7"), Optional.of("TLSv1.3"), Optional.empty(), List.of(leaf), true,
                Optional.of(leaf.getNotAfter().toInstant()), "none", Optional.of(1L), Optional.of(1L), 2));
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        } finally {
          writing.set(false);
        }
      });
      int reads = 0;
      while (writing.get() || reads == 0) {
        EndpointListing.HistoryView h = EndpointListing.history(store, ENDPOINT, probes + 1);
        Set<Long> seconds = h.results().stream().map(ProbeHistoryEntry::probedAt)
            .map(t -> t.getEpochSecond()).collect(Collectors.toSet());
        for (EndpointChange c : h.changes()) {
          assertTrue(seconds.contains(c.detectedAt().getEpochSecond()),
              "read " + reads + ": change at " + c.detectedAt() + " without its result among " + h.results().size());
        }
        reads++;
        firstRead.countDown();
      }
      writer.get(60, TimeUnit.SECONDS);
      // and the history read at the end holds every probe and every change of leaf: the reads above
      // had changes to check
      EndpointListing.HistoryView last = EndpointListing.history(store, ENDPOINT, probes + 1);
      assertEquals(probes, last.results().size());
      assertEquals(probes - 1, last.changes().size());
    }
  }
}
