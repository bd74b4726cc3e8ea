package io.certkeeper.serve;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back when files change on disk. Each file is watched through the folder of its path as
 * given and the folder of its real path, so replacing a file, renaming over it, or swapping a
 * symlink are all seen. Bursts (an editor writing a file in pieces, a deploy renaming several
 * files) are debounced: the callback runs once, {@link #DEBOUNCE} after the last event.
 */
public final class FileWatcher implements AutoCloseable {
  /** Quiet time after the last change before the callback runs. */
  public static final Duration DEBOUNCE = Duration.ofMillis(300);

  private static final Logger log = LoggerFactory.getLogger(FileWatcher.class);

  private final WatchService watcher;
  private final Map<Path, List<Watch>> byDirectory = new ConcurrentHashMap<>();
  private final ScheduledExecutorService debouncer;
  private final Thread thread;

  private record Watch(Set<String> names, Runnable callback, Object key) {}

  private final Map<Object, ScheduledFuture<?>> pending = new ConcurrentHashMap<>();

  public FileWatcher() throws IOException {
    this.watcher = FileSystems.getDefault().newWatchService();
    this.debouncer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "certkeeper-file-debounce");
      t.setDaemon(true);
      return t;
    });
    this.thread = new Thread(this::loop, "certkeeper-file-watch");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /**
   * Calls {@code callback} (debounced) whenever one of {@code files} changes. A file whose folder
   * does not exist yet is not watched; list the folder too when its appearance matters.
   */
  public void watch(List<Path> files, Runnable callback) throws IOException {
    Object key = new Object();
    Map<Path, Set<String>> dirs = new ConcurrentHashMap<>();
    for (Path f : files) {
      Path abs = f.toAbsolutePath().normalize();
      dirs.computeIfAbsent(abs.getParent(), d -> new HashSet<>()).add(abs.getFileName().toString());
      if (Files.exists(abs)) {
        Path real = abs.toRealPath();
        dirs.computeIfAbsent(real.getParent(), d -> new HashSet<>()).add(real.getFileName().toString());
      }
    }
    for (Map.Entry<Path, Set<String>> e : dirs.entrySet()) {
      if (!Files.isDirectory(e.getKey())) {
        continue; // not there yet (a managed certificate before its first issue): seen through a folder above
      }
      e.getKey().register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE);
      byDirectory.computeIfAbsent(e.getKey(), d -> new java.util.concurrent.CopyOnWriteArrayList<>())
          .add(new Watch(e.getValue(), callback, key));
    }
  }

  private void loop() {
    while (true) {
      WatchKey k;
      try {
        k = watcher.take();
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      }
      Path dir = (Path) k.watchable();
      List<Watch> watches = byDirectory.getOrDefault(dir, List.of());
      List<Watch> hit = new ArrayList<>();
      for (var event : k.pollEvents()) {
        Object ctx = event.context();
        String name = ctx == null ? null : ctx.toString();
        for (Watch w : watches) {
          // an overflow, or any change to a watched name or to a symlink's "..data" style target folder
          if (name == null || w.names().contains(name) || name.startsWith("..")) {
            hit.add(w);
          }
        }
      }
      k.reset();
      for (Watch w : hit) {
        pending.compute(w.key(), (key, old) -> {
          if (old != null) {
            old.cancel(false);
          }
          return debouncer.schedule(() -> run(w), DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS);
        });
      }
    }
  }

  private void run(Watch w) {
    try {
      w.callback().run();
    } catch (RuntimeException e) {
      log.error("file watch - callback failed: {}", e.toString());
    }
  }

  @Override
  public void close() {
    try {
      watcher.close();
    } catch (IOException e) {
      // closing anyway
    }
    thread.interrupt();
    debouncer.shutdownNow();
  }
}
