package io.certkeeper.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A throw-away PostgreSQL cluster for the tests of this JVM, made from the PostgreSQL binaries
 * installed on the machine (Debian's {@code /usr/lib/postgresql/VERSION/bin}, newest first, else
 * {@code initdb} and {@code pg_ctl} on the PATH). The machine's own clusters are never used or
 * needed.
 *
 * <p>The cluster is started once, at the first {@link #get()}: {@code initdb} into a fresh temporary
 * directory (as the {@code postgres} user through {@code runuser} when the tests run as root, since
 * initdb refuses root), listening on 127.0.0.1 only, on a free port, with its socket in that
 * directory, password authentication, and without fsync (nothing here must survive a crash). It is
 * stopped ({@code pg_ctl stop -m immediate}) and its directory removed when the JVM exits; a cluster
 * left behind by a JVM that was killed is stopped and removed by the next one. Each test takes a
 * database of its own ({@link #newDatabase()}), owned by an unprivileged role, as a deployment would
 * give certkeeper.
 *
 * <p>Without the binaries a test that asks for the cluster is skipped, saying what is missing; when
 * the environment variable {@code CI} is {@code true} that is a failure instead, so a CI machine
 * cannot silently test H2 alone. A cluster that is installed but does not start is always a
 * failure, with the output of the step that failed.
 */
public final class PostgresCluster {
  /** The environment variable that turns a missing PostgreSQL into a failure when {@code true}. */
  public static final String CI = "CI";
  /** Where Debian's packages put each major version's binaries. */
  static final Path DEBIAN_BINARIES = Path.of("/usr/lib/postgresql");
  /** Prefix of the cluster's temporary directory; the sweep for orphans looks for it. */
  static final String DIRECTORY_PREFIX = "certkeeper-pg-";

  private static final String SUPERUSER = "certkeeper_admin";
  private static final String OWNER = "certkeeper_app";
  private static final Duration INITDB_TIMEOUT = Duration.ofSeconds(180);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final int START_ATTEMPTS = 3;

  private static PostgresCluster shared;
  private static String unavailable;

  private final Binaries binaries;
  private final Path dir;
  private final int port;
  private final String adminPassword;
  private final String ownerPassword;
  private final Duration startTime;
  private final AtomicInteger databases = new AtomicInteger();
  private Connection admin;

  /** A database of this cluster for one test: its JDBC URL and the credentials of its owner. */
  public record Database(String name, String url, String user, String password) {
    @Override
    public String toString() {
      return url + " (user " + user + ")";
    }
  }

  private PostgresCluster(Binaries binaries, Path dir, int port, String adminPassword, String ownerPassword,
      Duration startTime) {
    this.binaries = binaries;
    this.dir = dir;
    this.port = port;
    this.adminPassword = adminPassword;
    this.ownerPassword = ownerPassword;
    this.startTime = startTime;
  }

  /**
   * The cluster of this JVM, started at the first call. Skips the calling test (a JUnit assumption)
   * when PostgreSQL is not installed, unless {@code CI=true}; fails it when the cluster cannot start.
   */
  public static synchronized PostgresCluster get() {
    if (shared != null) {
      return shared;
    }
    if (unavailable != null) {
      throw new AssertionError(unavailable);
    }
    Optional<Binaries> binaries = Binaries.find();
    if (binaries.isEmpty()) {
      missing(System.getenv(CI));
    }
    try {
      shared = start(binaries.get());
      return shared;
    } catch (AssertionError e) {
      unavailable = e.getMessage();
      throw e;
    }
  }

  /**
   * What a test does when PostgreSQL is not installed: it is skipped, saying what is missing, unless
   * {@code ci} (the value of {@value #CI}) is {@code true}; then it fails.
   */
  static void missing(String ci) {
    String what = "no initdb and pg_ctl in " + DEBIAN_BINARIES + "/*/bin or on the PATH (install the postgresql"
        + " package)";
    if ("true".equalsIgnoreCase(ci)) {
      throw new AssertionError("PostgreSQL tests cannot run: " + what + "; CI=true requires them");
    }
    Assumptions.abort("PostgreSQL tests skipped: " + what);
  }

  /** Port on 127.0.0.1 the cluster listens on. */
  public int port() {
    return port;
  }

  /** How long initdb and the start took (for the record of a slow machine). */
  public Duration startTime() {
    return startTime;
  }

  /** The major version and the directory of the binaries that run the cluster. */
  public String version() {
    return binaries.version() + " (" + binaries.dir() + ")";
  }

  /** A new, empty database of its own, owned by an unprivileged role that may create tables in it. */
  public synchronized Database newDatabase() {
    String name = "certkeeper_test_" + databases.incrementAndGet();
    try {
      if (admin == null || !admin.isValid(5)) {
        admin = DriverManager.getConnection(url("postgres"), SUPERUSER, adminPassword);
      }
      try (Statement st = admin.createStatement()) {
        st.setQueryTimeout(60);
        st.execute("CREATE DATABASE " + name + " OWNER " + OWNER);
      }
    } catch (SQLException e) {
      throw new AssertionError("PostgreSQL test cluster on 127.0.0.1:" + port + ": CREATE DATABASE " + name
          + " failed: " + e.getMessage() + "\n" + serverLogTail(), e);
    }
    return new Database(name, url(name), OWNER, ownerPassword);
  }

  private String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?connectTimeout=30&socketTimeout=300";
  }

  private static PostgresCluster start(Binaries binaries) {
    long t0 = System.nanoTime();
    sweepOrphans(binaries);
    Path dir;
    try {
      dir = Files.createTempDirectory(DIRECTORY_PREFIX);
    } catch (IOException e) {
      throw new AssertionError("PostgreSQL test cluster: cannot create a temporary directory: " + e, e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAndRemove(binaries, dir), "postgres-test-cluster-stop"));
    String adminPassword = randomPassword();
    String ownerPassword = randomPassword();
    try {
      Files.writeString(dir.resolve("owner.pid"), Long.toString(ProcessHandle.current().pid()));
      Path pwfile = dir.resolve("pwfile");
      Files.writeString(pwfile, adminPassword + "\n");
      Files.setPosixFilePermissions(pwfile, PosixFilePermissions.fromString("rw-------"));
      if (binaries.asPostgres()) {
        // initdb and the server run as postgres: the directory and the password file are theirs
        UserPrincipal postgres;
        try {
          postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        } catch (java.nio.file.attribute.UserPrincipalNotFoundException e) {
          throw new AssertionError("PostgreSQL test cluster: the tests run as root, which initdb refuses, and there"
              + " is no 'postgres' user to run it as (the postgresql package creates one)", e);
        }
        Files.setOwner(dir, postgres);
        Files.setOwner(pwfile, postgres);
      }
    } catch (IOException e) {
      throw new AssertionError("PostgreSQL test cluster: cannot prepare " + dir + ": " + e, e);
    }
    Path data = dir.resolve("data");
    binaries.run(dir, INITDB_TIMEOUT, "initdb", "-D", data.toString(), "-U", SUPERUSER,
        "--pwfile=" + dir.resolve("pwfile"), "--auth=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync");
    int port = 0;
    for (int attempt = 1; ; attempt++) {
      port = FreePorts.next();
      configure(data, dir, port);
      Binaries.Result r = binaries.tryRun(dir, START_TIMEOUT, "pg_ctl", "-D", data.toString(),
          "-l", dir.resolve("server.log").toString(), "-w", "-t", Long.toString(START_TIMEOUT.toSeconds() - 10),
          "start");
      if (r.exitCode() == 0) {
        break;
      }
      String log = readQuietly(dir.resolve("server.log"));
      if (attempt < START_ATTEMPTS && log.contains("could not bind")) {
        continue; // someone took the port between FreePorts and the bind: another one
      }
      throw new AssertionError("PostgreSQL test cluster: pg_ctl start failed (exit " + r.exitCode() + ") on port "
          + port + ":\n" + r.output() + "\nserver log:\n" + tail(log));
    }
    PostgresCluster cluster = new PostgresCluster(binaries, dir, port, adminPassword, ownerPassword,
        Duration.ofNanos(System.nanoTime() - t0));
    try (Connection c = DriverManager.getConnection(cluster.url("postgres"), SUPERUSER, adminPassword);
        Statement st = c.createStatement()) {
      st.execute("CREATE ROLE " + OWNER + " LOGIN PASSWORD '" + ownerPassword + "'");
    } catch (SQLException e) {
      throw new AssertionError("PostgreSQL test cluster on 127.0.0.1:" + port + ": cannot create the role " + OWNER
          + ": " + e.getMessage() + "\n" + cluster.serverLogTail(), e);
    }
    System.err.printf(java.util.Locale.ROOT, "PostgreSQL test cluster: %s on 127.0.0.1:%d in %s, up in %d ms%n",
        cluster.version(), port, dir, cluster.startTime().toMillis());
    return cluster;
  }

  /** Appends this cluster's settings to postgresql.conf (later lines win). */
  private static void configure(Path data, Path dir, int port) {
    String settings = String.join("\n",
        "",
        "# certkeeper test cluster",
        "listen_addresses = '127.0.0.1'",
        "port = " + port,
        "unix_socket_directories = '" + dir + "'",
        "fsync = off",
        "synchronous_commit = off",
        "full_page_writes = off",
        "max_connections = 200",
        "shared_buffers = 32MB",
        "");
    try {
      Files.writeString(data.resolve("postgresql.conf"), settings, StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new AssertionError("PostgreSQL test cluster: cannot write " + data.resolve("postgresql.conf") + ": " + e,
          e);
    }
  }

  /** Stops the cluster at once (no checkpoint: it is thrown away) and removes its directory. */
  private static void stopAndRemove(Binaries binaries, Path dir) {
    Path data = dir.resolve("data");
    if (Files.exists(data.resolve("postmaster.pid"))) {
      Binaries.Result r = binaries.tryRun(dir, STOP_TIMEOUT, "pg_ctl", "-D", data.toString(), "-m", "immediate",
          "-w", "-t", Long.toString(STOP_TIMEOUT.toSeconds() - 5), "stop");
      if (r.exitCode() != 0) {
        System.err.println("PostgreSQL test cluster in " + dir + ": pg_ctl stop failed (exit " + r.exitCode() + "): "
            + r.output());
      }
    }
    deleteTree(dir);
  }

  /** Stops and removes the clusters of JVMs that are gone (killed before their shutdown hook ran). */
  private static void sweepOrphans(Binaries binaries) {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, DIRECTORY_PREFIX + "*")) {
      for (Path d : dirs) {
        Optional<Long> owner = ownerPid(d);
        if (owner.isPresent() && ProcessHandle.of(owner.get()).map(ProcessHandle::isAlive).orElse(false)) {
          continue;
        }
        if (owner.isEmpty() && Files.getLastModifiedTime(d).toMillis() > System.currentTimeMillis() - 3_600_000) {
          continue; // being set up right now by another JVM, perhaps
        }
        String expectedOwner = binaries.asPostgres() ? "postgres" : System.getProperty("user.name");
        if (!Files.getOwner(d).getName().equals(expectedOwner)) {
          continue; // another user's: its pg_ctl would not be ours to run
        }
        stopAndRemove(binaries, d);
      }
    } catch (IOException e) {
      // best effort: a leftover is only disk space and an idle server
    }
  }

  private static Optional<Long> ownerPid(Path dir) {
    try {
      return Optional.of(Long.parseLong(Files.readString(dir.resolve("owner.pid")).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private String serverLogTail() {
    return "server log:\n" + tail(readQuietly(dir.resolve("server.log")));
  }

  private static String tail(String log) {
    List<String> lines = log.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  private static String readQuietly(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      return "(" + f + ": " + e.getMessage() + ")";
    }
  }

  private static String randomPassword() {
    byte[] b = new byte[18];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      System.err.println("PostgreSQL test cluster: cannot remove " + dir + ": " + e);
    }
  }

  /** Where initdb and pg_ctl are, and whether they must run as the postgres user. */
  record Binaries(Path dir, String version, boolean asPostgres) {
    private static final Pattern VERSION = Pattern.compile("(\\d+)(?:\\.(\\d+))?");

    /** The newest Debian installation, else the tools on the PATH; empty when there are none. */
    static Optional<Binaries> find() {
      boolean root = isRoot();
      List<Path> candidates = new ArrayList<>();
      if (Files.isDirectory(DEBIAN_BINARIES)) {
        try (Stream<Path> versions = Files.list(DEBIAN_BINARIES)) {
          versions.filter(v -> VERSION.matcher(v.getFileName().toString()).matches())
              .sorted(Comparator.comparing(Binaries::versionKey).reversed())
              .map(v -> v.resolve("bin"))
              .forEach(candidates::add);
        } catch (IOException e) {
          // none there
        }
      }
      String path = System.getenv("PATH");
      if (path != null) {
        for (String p : path.split(":")) {
          if (!p.isEmpty()) {
            candidates.add(Path.of(p));
          }
        }
      }
      for (Path bin : candidates) {
        if (Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl"))) {
          String version = bin.getParent() != null && bin.getParent().getParent() != null
              && bin.getParent().getParent().equals(DEBIAN_BINARIES) ? bin.getParent().getFileName().toString() : "?";
          return Optional.of(new Binaries(bin, version, root));
        }
      }
      return Optional.empty();
    }

    private static long versionKey(Path versionDir) {
      Matcher m = VERSION.matcher(versionDir.getFileName().toString());
      if (!m.matches()) {
        return -1;
      }
      return Long.parseLong(m.group(1)) * 1000 + (m.group(2) == null ? 0 : Long.parseLong(m.group(2)));
    }

    private static boolean isRoot() {
      try {
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
      } catch (IOException | UnsupportedOperationException e) {
        return "root".equals(System.getProperty("user.name"));
      }
    }

    record Result(int exitCode, String output) {}

    /** Runs a PostgreSQL tool; a failure or a timeout fails the test with the tool's output. */
    void run(Path workDir, Duration timeout, String tool, String... args) {
      Result r = tryRun(workDir, timeout, tool, args);
      if (r.exitCode() != 0) {
        throw new AssertionError("PostgreSQL test cluster: " + tool + " failed (exit " + r.exitCode() + "):\n"
            + r.output());
      }
    }

    /** Runs a PostgreSQL tool and returns its exit code and output; a timeout fails the test. */
    Result tryRun(Path workDir, Duration timeout, String tool, String... args) {
      List<String> cmd = new ArrayList<>();
      if (asPostgres) {
        cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
      }
      cmd.add(dir.resolve(tool).toString());
      cmd.addAll(List.of(args));
      Path out = null;
      try {
        out = Files.createTempFile("certkeeper-pg-tool", ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
            .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
          throw new AssertionError("PostgreSQL test cluster: " + tool + " did not finish within " + timeout.toSeconds()
              + " s: " + String.join(" ", cmd) + "\n" + readQuietly(out));
        }
        return new Result(p.exitValue(), readQuietly(out));
      } catch (IOException e) {
        throw new AssertionError("PostgreSQL test cluster: cannot run " + String.join(" ", cmd) + ": " + e.getMessage(),
            e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("PostgreSQL test cluster: interrupted while running " + tool, e);
      } finally {
        if (out != null) {
          try {
            Files.deleteIfExists(out);
          } catch (IOException e) {
            // a temporary file
          }
        }
      }
    }
  }
}
