package io.certkeeper.renew;

import io.certkeeper.config.CertificateConfig;
import io.certkeeper.store.ManagedCertificateRepository;
import io.certkeeper.store.ManagedState;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the store and the outputs of each managed certificate in line with its {@code current}
 * link at start, which is what makes a renewal safe against kill -9 at any step:
 *
 * <ul>
 *   <li>the link is the truth (switching it is the commit point of a renewal); when it points at
 *       a damaged folder, the newest intact generation is put in force instead;
 *   <li>a store row that names another serial (a crash between the swap and the store update) is
 *       moved to the linked generation;
 *   <li>outputs that do not hold the linked generation (a crash while they were written) are
 *       written again, and temporary files left next to them are deleted;
 *   <li>generation folders that were never put in force (a crash before the swap) are deleted; the
 *       one before the current is kept for rollback.
 * </ul>
 *
 * <p>It needs no CA key: everything it writes comes from the generation folder.
 */
public final class Reconciler {
  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

  private final ManagedCertificateRepository records;
  private final Path dataDir;
  private final Clock clock;

  private Reconciler(Store store, Path dataDir, Clock clock, String node) {
    this.records = new ManagedCertificateRepository(store, node);
    this.dataDir = dataDir;
    this.clock = clock;
  }

  /** A reconciler that records its repairs as node {@code node}'s. */
  public static Reconciler create(Store store, Path dataDir, Clock clock, String node) {
    return new Reconciler(store, dataDir, clock, node);
  }

  /** Reconciles every certificate; returns how many needed a repair. Never throws for one. */
  public int reconcileAll(List<CertificateConfig> certificates) {
    int repaired = 0;
    for (CertificateConfig c : certificates) {
      try {
        if (reconcile(c)) {
          repaired++;
        }
      } catch (IOException | StoreException | RuntimeException e) {
        log.error("{} - cannot reconcile the managed certificate: {}", c.name(), e.getMessage());
      }
    }
    return repaired;
  }

  /** Reconciles one certificate; true when something was repaired. */
  boolean reconcile(CertificateConfig c) throws IOException, StoreException {
    String name = c.name();
    Generations gens = new Generations(dataDir, name);
    Outputs.cleanTemporaries(c.outputs());
    Optional<String> serial = gens.currentSerial();
    if (serial.isEmpty()) {
      gens.prune(List.of());
      return false;
    }
    boolean repaired = false;
    Generation g;
    try {
      g = Generation.read(gens.dir(serial.get()));
    } catch (IOException e) {
      Optional<Generation> fallback = newestIntact(gens);
      if (fallback.isEmpty()) {
        throw new IOException("the generation in force is damaged and no other is intact: " + e.getMessage(), e);
      }
      g = fallback.get();
      log.error("{} - generation {} is damaged ({}); putting {} in force", name, serial.get(), e.getMessage(),
          g.serial());
      gens.swap(g.serial());
      repaired = true;
    }
    Instant now = clock.instant();
    Optional<ManagedState> state = records.find(name);
    if (state.isEmpty() || !state.get().serial().equals(g.serial())) {
      log.warn("{} - the store named {} but {} is in force; recording it", name,
          state.map(ManagedState::serial).orElse("nothing"), g.serial());
      records.swapped(name, g.inForce(), "reconciled", now);
      repaired = true;
    }
    List<CertificateConfig.Output> stale = Outputs.stale(c.outputs(), g);
    for (CertificateConfig.Output o : stale) {
      log.warn("{} - output {} does not hold serial {}; writing it again", name, o.path(), g.serial());
    }
    if (!stale.isEmpty()) {
      Outputs.write(stale, g, name);
      repaired = true;
    }
    gens.prune(Renewer.keepAround(gens, g));
    return repaired;
  }

  private static Optional<Generation> newestIntact(Generations gens) throws IOException {
    Optional<Generation> best = Optional.empty();
    for (String s : gens.serials()) {
      try {
        Generation g = Generation.read(gens.dir(s));
        if (best.isEmpty() || g.notAfter().isAfter(best.get().notAfter())) {
          best = Optional.of(g);
        }
      } catch (IOException e) {
        // damaged too
      }
    }
    return best;
  }
}
