package io.certkeeper.files;

import io.certkeeper.config.FileSetConfig;
import io.certkeeper.store.StoreException;
import io.certkeeper.store.WatchedFileRepository;
import io.certkeeper.util.Durations;
import io.certkeeper.util.ErrorText;
import io.certkeeper.util.Json;
import io.certkeeper.util.Printable;
import io.certkeeper.x509.CertificateFile;
import io.certkeeper.x509.Fingerprints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one node's {@code files:} in the inventory. A rescan of an entry walks its patterns, reads
 * each matched file whose size, modification time or identity changed since it was last read here
 * (or that had a problem, or whose entry's settings changed), records what it holds, and forgets the
 * files no longer matched. A file two entries match belongs to the first.
 *
 * <p>What a file cannot give is a problem recorded on that file, with a short code, never an
 * exception out of the rescan: {@code missing}, {@code unreadable} (permissions; the shipped unit
 * runs as {@code certkeeper} with {@code ProtectHome=yes}), {@code wrong_password},
 * {@code too_large}, {@code no_certificates} (a file named without wildcards that holds none; files
 * a wildcard matches that hold no certificate, such as keys, are skipped), {@code damaged}; and on a
 * pattern's base directory, {@code missing}, {@code unreadable} or {@code not_a_directory}.
 */
public final class FileInventory {
  /** Files one entry matches at most; the rest are left out, with one warning. */
  public static final int MAX_FILES_PER_ENTRY = 10_000;

  private static final Logger log = LoggerFactory.getLogger(FileInventory.class);

  private final WatchedFileRepository repo;
  private final Clock clock;
  /** What was last read of each file, so that an unchanged file is not read again. */
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();
  private final Set<String> warned = ConcurrentHashMap.newKeySet();
  /** The problem each file had at its last read here, so that a new one is logged once. */
  private final Map<String, String> problemsLogged = new ConcurrentHashMap<>();
  private volatile java.util.function.BooleanSupplier stopping = () -> false;

  private record Stamp(long size, Instant modified, Object fileKey) {}

  private record Seen(Stamp stamp, String settings, String fileSet) {}

  public FileInventory(WatchedFileRepository repo, Clock clock) {
    this.repo = Objects.requireNonNull(repo, "repo");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A rescan under way ends early (after the file it reads) once {@code stop} says so. */
  public void stopWhen(java.util.function.BooleanSupplier stop) {
    this.stopping = Objects.requireNonNull(stop, "stop");
  }

  /**
   * What a rescan did.
   *
   * @param matched files the entry matches now
   * @param read files read (the others had not changed)
   * @param problems files with a problem now
   * @param forgotten files no longer matched, removed from the inventory
   */
  public record Pass(int matched, int read, int problems, int forgotten) {
    Pass plus(Pass o) {
      return new Pass(matched + o.matched, read + o.read, problems + o.problems, forgotten + o.forgotten);
    }
  }

  /** The key of an entry in the store: a hash of its patterns, so that reordering entries keeps it. */
  public static String key(FileSetConfig set) {
    return Fingerprints.sha256(String.join("\n", set.paths()).getBytes(StandardCharsets.UTF_8)).substring(0, 32);
  }

  /** Rescans every entry, then forgets the files of entries no longer configured. */
  public Pass rescanAll(List<FileSetConfig> sets) throws StoreException {
    Pass total = new Pass(0, 0, 0, retain(sets));
    for (int i = 0; i < sets.size(); i++) {
      total = total.plus(rescan(sets, i));
    }
    return total;
  }

  /** Forgets the files of entries not in {@code sets}; how many. */
  public int retain(List<FileSetConfig> sets) throws StoreException {
    List<String> keys = sets.stream().map(FileInventory::key).toList();
    seen.values().removeIf(s -> !keys.contains(s.fileSet()));
    return repo.retainSets(keys);
  }

  /** Rescans entry {@code index} of {@code sets} (the earlier entries claim the files they match). */
  public Pass rescan(List<FileSetConfig> sets, int index) throws StoreException {
    FileSetConfig set = sets.get(index);
    String key = key(set);
    String settings = settings(set);
    List<GlobPattern> earlier = sets.subList(0, index).stream()
        .flatMap(s -> s.paths().stream()).map(GlobPattern::of).toList();
    Map<Path, IOException> failed = new LinkedHashMap<>(); // a pattern's base directory that cannot be walked
    Map<Path, Boolean> files = new LinkedHashMap<>(); // path -> named without wildcards
    for (String text : set.paths()) {
      GlobPattern g = GlobPattern.of(text);
      int room = MAX_FILES_PER_ENTRY - files.size();
      if (room <= 0 || stopping.getAsBoolean()) {
        break;
      }
      GlobPattern.Walk w = g.walk(room, stopping);
      w.baseFailure().ifPresent(e -> failed.put(g.base(), e));
      w.skipped().forEach((p, e) -> {
        if (warned.add(p.toString())) {
          log.warn("{} - {} not searched: {}", set.location(), p, ErrorText.reason(e));
        }
      });
      if (w.truncated() && warned.add("visited:" + text)) {
        log.warn("{} - {}: walked {} entries, the rest are left out", set.location(), text, GlobPattern.MAX_VISITED);
      }
      for (Path p : w.files()) {
        if (earlier.stream().noneMatch(e -> e.matches(p))) {
          files.merge(p, g.literal(), Boolean::logicalOr);
        }
      }
    }
    if (files.size() >= MAX_FILES_PER_ENTRY && warned.add(key)) {
      log.warn("{} - matches {} files or more; the rest are left out of the inventory", set.location(),
          MAX_FILES_PER_ENTRY);
    }
    Optional<char[]> password = Optional.empty();
    Optional<String> passwordProblem = Optional.empty();
    if (set.password().isPresent()) {
      try {
        password = Optional.of(set.password().get().resolve());
      } catch (IOException | RuntimeException e) {
        passwordProblem = Optional.of("password " + set.password().get() + ": " + ErrorText.of(e));
      }
    }
    int read = 0;
    int problems = 0;
    Set<String> matched = new LinkedHashSet<>();
    try {
      for (Map.Entry<Path, IOException> f : failed.entrySet()) {
        String path = f.getKey().toString();
        if (!fits(path)) {
          continue;
        }
        matched.add(path);
        problems++;
        String code = f.getValue() instanceof java.nio.file.NotDirectoryException ? "not_a_directory" : code(f.getValue());
        record(set, problem(path, key, settings, code, ErrorText.about(f.getKey(), f.getValue())));
        seen.remove(path);
      }
      for (Map.Entry<Path, Boolean> f : files.entrySet()) {
        if (stopping.getAsBoolean()) {
          return new Pass(matched.size(), read, problems, 0); // the rest, and forgetting, at the next rescan
        }
        String path = f.getKey().toString();
        if (!fits(path)) {
          continue;
        }
        Optional<Stamp> stamp = stamp(f.getKey());
        Seen last = seen.get(path);
        if (stamp.isPresent() && last != null && last.stamp().equals(stamp.get()) && last.settings().equals(settings)
            && last.fileSet().equals(key)) {
          matched.add(path);
          continue; // unchanged, read fine last time
        }
        WatchedFileRepository.FileRead r = readWithin(f.getKey(), f.getValue(), key, settings, stamp, password,
            passwordProblem);
        if (r == null) {
          seen.remove(path);
          continue; // matched by a wildcard, holds no certificate: not a certificate file
        }
        matched.add(path);
        read++;
        if (!record(set, r)) {
          problems++;
          seen.remove(path);
        } else if (r.problemCode().isPresent()) {
          problems++;
          seen.remove(path);
        } else {
          stamp.ifPresent(s -> seen.put(path, new Seen(s, settings, key)));
        }
      }
    } finally {
      password.ifPresent(p -> Arrays.fill(p, '\0'));
    }
    List<String> gone = new ArrayList<>();
    Set<String> stored = repo.paths(key);
    for (String p : matched) {
      if (!stored.contains(p)) {
        seen.remove(p); // its row is gone (a restore, another process): read it again next time
      }
    }
    for (String p : stored) {
      if (!matched.contains(p)) {
        gone.add(p);
        seen.remove(p);
        problemsLogged.remove(p);
      }
    }
    int forgotten = repo.forget(gone);
    return new Pass(matched.size(), read, problems, forgotten);
  }

  /**
   * Records one read, logging a new problem once. A read the store refuses (a certificate it cannot
   * hold, a row another process wrote at the same moment) is recorded as the file's problem instead,
   * and the rescan goes on; false then.
   */
  private boolean record(FileSetConfig set, WatchedFileRepository.FileRead r) throws StoreException {
    WatchedFileRepository.FileRead recorded = r;
    boolean ok = true;
    try {
      repo.record(r, clock.instant());
    } catch (StoreException e) {
      ok = false;
      recorded = problem(r.path(), r.fileSet(), r.settings(), "damaged", r.path() + ": not recorded: " + e.getMessage());
      repo.record(recorded, clock.instant()); // a second failure is the store's, not the file's: it ends the rescan
    }
    String path = r.path();
    if (recorded.problemCode().isPresent()) {
      if (!recorded.problemCode().get().equals(problemsLogged.put(path, recorded.problemCode().get()))) {
        log.warn("{} - {}: {}", set.location(), recorded.problemCode().get(), recorded.problem().orElse(""));
      }
    } else if (problemsLogged.remove(path) != null) {
      log.info("{} - {} read again", set.location(), path);
    }
    return ok;
  }

  /** Reads run on a thread of their own, so that a file that never ends (a FIFO swapped in) cannot hold the rescans. */
  static final java.time.Duration READ_TIMEOUT = java.time.Duration.ofSeconds(10);
  /** Reads abandoned (still blocked) at most; past it, files are not read until a restart. */
  static final int MAX_STUCK = 4;

  private java.util.concurrent.ExecutorService reader = newReader();
  private int stuck;

  private static java.util.concurrent.ExecutorService newReader() {
    return java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "certkeeper-file-read");
      t.setDaemon(true);
      return t;
    });
  }

  /** {@link #read}, on the reader thread, within {@link #READ_TIMEOUT}; a read that does not end is a problem. */
  private WatchedFileRepository.FileRead readWithin(Path p, boolean named, String key, String settings,
      Optional<Stamp> stamp, Optional<char[]> password, Optional<String> passwordProblem) {
    if (stuck >= MAX_STUCK) {
      return problem(p.toString(), key, settings, "unreadable", p + ": not read: " + MAX_STUCK
          + " earlier reads never ended (FIFOs or hung mounts in a watched directory?); restart the daemon");
    }
    java.util.concurrent.Future<WatchedFileRepository.FileRead> f =
        reader.submit(() -> read(p, named, key, settings, stamp, password, passwordProblem));
    try {
      return f.get(READ_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      // the blocked thread is left behind (an interrupt does not end a blocked open); reads go on on a new one
      stuck++;
      reader.shutdown();
      reader = newReader();
      return problem(p.toString(), key, settings, "unreadable", p + ": the read did not end within "
          + READ_TIMEOUT.toSeconds() + " s (not a regular file any more?)");
    } catch (java.util.concurrent.ExecutionException e) {
      return problem(p.toString(), key, settings, "damaged", p + ": " + ErrorText.reason(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return problem(p.toString(), key, settings, "unreadable", p + ": interrupted");
    }
  }

  private static boolean fits(String path) {
    if (path.getBytes(StandardCharsets.UTF_8).length <= WatchedFileRepository.MAX_PATH_BYTES) {
      return true;
    }
    log.warn("{}... - path longer than {} bytes, left out of the inventory", Printable.line(path.substring(0, 80)),
        WatchedFileRepository.MAX_PATH_BYTES);
    return false;
  }

  private static Optional<Stamp> stamp(Path p) {
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
      return Optional.of(new Stamp(a.size(), a.lastModifiedTime().toInstant(), a.fileKey()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** One read of {@code p}; null when a wildcard matched a file that holds no certificate. */
  private static WatchedFileRepository.FileRead read(Path p, boolean named, String key, String settings,
      Optional<Stamp> stamp, Optional<char[]> password, Optional<String> passwordProblem) {
    String path = p.toString();
    if (stamp.isEmpty() && !Files.notExists(p)) {
      // neither there nor absent: a directory on the way cannot be searched
      return problem(path, key, settings, "unreadable", path + ": permission denied (a directory on the way"
          + " cannot be searched by this user)");
    }
    try {
      CertificateFile.Read r = CertificateFile.read(p, password);
      List<WatchedFileRepository.Placed> certs = r.certificates().stream()
          .map(f -> new WatchedFileRepository.Placed(f.where(), f.certificate())).toList();
      return new WatchedFileRepository.FileRead(path, key, Optional.of(r.format().name()), Optional.empty(),
          Optional.empty(), stamp.map(Stamp::size), stamp.map(Stamp::modified), settings, certs);
    } catch (CertificateFile.NotCertificates e) {
      return named ? problem(path, key, settings, "no_certificates", Printable.line(e.getMessage())) : null;
    } catch (IOException e) {
      String code = code(e);
      String message = Printable.line(e.getMessage());
      if (code.equals("wrong_password") && passwordProblem.isPresent()) {
        message += " (" + passwordProblem.get() + ")";
      }
      return problem(path, key, settings, code, message);
    }
  }

  private static WatchedFileRepository.FileRead problem(String path, String key, String settings, String code,
      String message) {
    return new WatchedFileRepository.FileRead(path, key, Optional.empty(), Optional.of(code),
        Optional.of(Printable.line(message)), Optional.empty(), Optional.empty(), settings, List.of());
  }

  /** The problem code of a failed read. */
  static String code(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AccessDeniedException) {
        return "unreadable";
      }
      if (t instanceof NoSuchFileException) {
        return "missing";
      }
    }
    String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    if (m.contains("wrong password")) {
      return "wrong_password";
    }
    if (m.contains("permission denied")) {
      return "unreadable";
    }
    if (m.contains("larger than")) {
      return "too_large";
    }
    return "damaged";
  }

  /** The settings a file's alerts and reports need, as JSON: labels, owners, thresholds, endpoints. */
  static String settings(FileSetConfig set) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("entry", set.location());
    m.put("labels", new java.util.TreeMap<>(set.labels()));
    m.put("owners", set.owners());
    m.put("warning", Durations.format(set.warning()));
    m.put("critical", Durations.format(set.critical()));
    m.put("endpoints", set.endpoints());
    try {
      return Json.mapper().writeValueAsString(m);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }
}
