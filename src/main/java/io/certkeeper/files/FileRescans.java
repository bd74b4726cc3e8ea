package io.certkeeper.files;

import io.certkeeper.config.FileSetConfig;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the daemon's rescans of {@code files:}: each entry on its {@code rescan} interval, and
 * sooner when a directory it names changes. Watching is used where it is cheap: the directory of a
 * file named without wildcards, and the directory of a pattern whose wildcards are in its last
 * element ({@code /opt/app/*.p12}); a recursive pattern is rescanned on its interval only. At most
 * {@link #MAX_WATCHED} directories are watched.
 *
 * <p>One thread does all the work, so the rescans of a node never overlap; the configuration is
 * read afresh at each tick, so a reload takes effect at the next one.
 */
public final class FileRescans implements AutoCloseable {
  /** Directories watched at most. */
  public static final int MAX_WATCHED = 256;
  static final Duration TICK = Duration.ofSeconds(1);
  /** Watches are looked over this often (a directory created later, one deleted and made again). */
  static final Duration REWATCH = Duration.ofSeconds(30);
  /** A change rescans an entry at most this often. */
  static final Duration CHANGE_GAP = Duration.ofSeconds(2);

  private static final Logger log = LoggerFactory.getLogger(FileRescans.class);

  private final FileInventory inventory;
  private final Supplier<List<FileSetConfig>> sets;
  private final Clock clock;
  private final Map<String, Instant> due = new HashMap<>();
  private final Set<String> changed = ConcurrentHashMap.newKeySet();
  private final Map<Path, WatchKey> watched = new HashMap<>();
  private final ScheduledExecutorService thread;
  private WatchService watcher;
  private List<String> lastKeys = List.of();
  private Instant lastWatch = Instant.MIN;
  private final Map<String, Instant> lastRun = new HashMap<>();
  private volatile boolean closed;

  private FileRescans(FileInventory inventory, Supplier<List<FileSetConfig>> sets, Clock clock) {
    this.inventory = Objects.requireNonNull(inventory, "inventory");
    this.sets = Objects.requireNonNull(sets, "sets");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "certkeeper-files");
      t.setDaemon(true);
      return t;
    });
    try {
      watcher = FileSystems.getDefault().newWatchService();
    } catch (IOException | UnsupportedOperationException e) {
      log.warn("files - changes are not watched ({}); rescans run on their interval", e.getMessage());
    }
  }

  /** Starts rescanning the entries {@code sets} gives (a rescan of each at once). */
  public static FileRescans start(FileInventory inventory, Supplier<List<FileSetConfig>> sets, Clock clock) {
    FileRescans r = new FileRescans(inventory, sets, clock);
    inventory.stopWhen(() -> r.closed);
    r.thread.scheduleWithFixedDelay(r::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    return r;
  }

  private void tick() {
    try {
      List<FileSetConfig> current = sets.get();
      List<String> keys = current.stream().map(FileInventory::key).toList();
      if (!keys.equals(lastKeys)) {
        int forgotten = inventory.retain(current);
        if (forgotten > 0) {
          log.info("files - forgot {} files of entries no longer configured", forgotten);
        }
        due.keySet().retainAll(keys);
        lastRun.keySet().retainAll(keys);
        watch(current);
        lastWatch = clock.instant();
        lastKeys = keys;
      }
      drainEvents(current);
      Instant now = clock.instant();
      if (!now.isBefore(lastWatch.plus(REWATCH))) {
        watch(current);
        lastWatch = now;
      }
      for (int i = 0; i < current.size() && !closed; i++) {
        String key = keys.get(i);
        Instant at = due.get(key);
        boolean byChange = changed.contains(key)
            && !now.isBefore(lastRun.getOrDefault(key, Instant.MIN).plus(CHANGE_GAP));
        if (at != null && now.isBefore(at) && !byChange) {
          continue;
        }
        changed.remove(key);
        lastRun.put(key, now);
        FileSetConfig set = current.get(i);
        due.put(key, now.plus(set.rescan()));
        try {
          FileInventory.Pass p = inventory.rescan(current, i);
          if (p.read() > p.problems() || p.forgotten() > 0) { // a problem read again is logged once, by the inventory
            log.info("files - {}: {} files, {} read, {} with problems, {} forgotten", set.location(), p.matched(),
                p.read(), p.problems(), p.forgotten());
          }
        } catch (Exception e) {
          log.warn("files - {}: rescan failed: {}", set.location(), e.toString());
        }
      }
    } catch (Exception | LinkageError e) {
      log.warn("files - rescan failed: {}", e.toString());
    }
  }

  /** Watches the directories where it is cheap (see the class comment). */
  private void watch(List<FileSetConfig> current) {
    if (watcher == null) {
      return;
    }
    Set<Path> wanted = new HashSet<>();
    for (FileSetConfig s : current) {
      for (String text : s.paths()) {
        Path dir = watchable(text);
        if (dir != null && wanted.size() < MAX_WATCHED) {
          wanted.add(dir);
        }
      }
    }
    watched.entrySet().removeIf(e -> {
      if (!wanted.contains(e.getKey()) || !e.getValue().isValid()) {
        e.getValue().cancel();
        return true;
      }
      return false;
    });
    for (Path dir : wanted) {
      if (watched.containsKey(dir) || !Files.isDirectory(dir)) {
        continue;
      }
      try {
        watched.put(dir, dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
            StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE));
      } catch (IOException | RuntimeException e) {
        log.debug("files - {} not watched: {}", dir, e.toString());
      }
    }
  }

  /** The directory to watch for {@code pattern}, or null when watching it is not cheap. */
  static Path watchable(String pattern) {
    int slash = pattern.lastIndexOf('/');
    String dir = slash <= 0 ? "/" : pattern.substring(0, slash);
    for (char c : dir.toCharArray()) {
      if (c == '*' || c == '?' || c == '[' || c == '{') {
        return null;
      }
    }
    return Path.of(dir);
  }

  private void drainEvents(List<FileSetConfig> current) {
    if (watcher == null) {
      return;
    }
    try {
      WatchKey k;
      while ((k = watcher.poll()) != null) {
        Path dir = (Path) k.watchable();
        k.pollEvents();
        if (!k.reset()) {
          watched.values().remove(k); // the directory went away: looked for again at the next rewatch
        }
        for (FileSetConfig s : current) {
          if (s.paths().stream().anyMatch(p -> dir.equals(watchable(p)))) {
            changed.add(FileInventory.key(s));
          }
        }
      }
    } catch (ClosedWatchServiceException e) {
      // closing
    }
  }

  /**
   * Stops: the rescan under way ends after the file it reads (never interrupted: an interrupt inside
   * the store's driver would close its file).
   */
  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }

  /** {@link #close()}, waiting up to {@code wait}; whether the rescan under way ended in time. */
  public boolean close(Duration wait) {
    closed = true;
    thread.shutdown();
    boolean ended;
    try {
      ended = thread.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ended = false;
    }
    if (watcher != null) {
      try {
        watcher.close();
      } catch (IOException e) {
        // nothing to do
      }
    }
    return ended;
  }
}
