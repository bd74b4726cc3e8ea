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
 * a wildcard matches that hold no certificate, such as keys, are skipped), {@code damaged}.
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
    Map<Path, IOException> failed = new LinkedHashMap<>();
    Map<Path, Boolean> files = new LinkedHashMap<>(); // path -> named without wildcards
    for (String text : set.paths()) {
      GlobPattern g = GlobPattern.of(text);
      int room = MAX_FILES_PER_ENTRY - files.size();
      if (room <= 0) {
        break;
      }
      for (Path p : g.files(room, failed)) {
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
        String code = code(f.getValue());
        repo.record(problem(path, key, settings, code, ErrorText.about(f.getKey(), f.getValue())), clock.instant());
        if (!code.equals(problemsLogged.put(path, code))) {
          log.warn("{} - {}: {}", set.location(), code, ErrorText.about(f.getKey(), f.getValue()));
        }
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
        WatchedFileRepository.FileRead r = read(f.getKey(), f.getValue(), key, settings, stamp, password,
            passwordProblem);
        if (r == null) {
          seen.remove(path);
          continue; // matched by a wildcard, holds no certificate: not a certificate file
        }
        matched.add(path);
        read++;
        repo.record(r, clock.instant());
        if (r.problemCode().isPresent()) {
          problems++;
          seen.remove(path);
          if (!r.problemCode().get().equals(problemsLogged.put(path, r.problemCode().get()))) {
            log.warn("{} - {}: {}", set.location(), r.problemCode().get(), r.problem().orElse(""));
          }
        } else {
          if (problemsLogged.remove(path) != null) {
            log.info("{} - {} read again", set.location(), path);
          }
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
