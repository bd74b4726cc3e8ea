package io.certkeeper.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.certkeeper.util.Redaction;
import io.certkeeper.util.Version;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database: a connection pool plus the schema, migrated to the newest version on open. H2 (a
 * file under the data directory, the default) and PostgreSQL run the same SQL. The daemon holds the
 * H2 file and serves it to CLI commands over loopback ({@link StoreServer}); a command started
 * while no daemon runs opens the file itself, and serves it to nobody.
 *
 * <p>That server is made private three ways: it listens on 127.0.0.1 only (see
 * {@link #BIND_ADDRESS_PROPERTY}); a client must name the random database key written into the
 * owner-only {@code store.server}; and the database has a password ({@link #openEmbedded},
 * {@link StoreSecret}). H2 grants a connection admin rights, and an admin can run Java in this
 * process ({@code CREATE ALIAS}), so none of the three may be left out.
 *
 * <p>Repositories take a {@code Store} and hide the SQL from everything else: each table has one
 * repository that owns it. Work that must commit across repositories runs in
 * {@link #inTransaction}, through the repositories of the {@link Transaction} it is handed.
 */
public final class Store implements AutoCloseable {
  /**
   * The system property H2 reads, once, for the address its servers bind. Without it H2's TCP
   * server listens on every interface (and only then refuses remote peers); it is set to 127.0.0.1
   * here, before any H2 class loads (this class names H2 only through JDBC URLs), unless the user
   * set it.
   */
  public static final String BIND_ADDRESS_PROPERTY = "h2.bindAddress";
  /** The loopback address the store's server binds unless {@value #BIND_ADDRESS_PROPERTY} says otherwise. */
  public static final String LOOPBACK = "127.0.0.1";
  /** H2's SQL state for a wrong user name or password. */
  static final String WRONG_PASSWORD_STATE = "28000";

  static {
    if (System.getProperty(BIND_ADDRESS_PROPERTY) == null) {
      System.setProperty(BIND_ADDRESS_PROPERTY, LOOPBACK);
    }
  }

  /**
   * Does nothing, but calling it runs this class's initialiser: a class of this package that uses
   * H2's classes directly calls it first, so that H2 reads {@value #BIND_ADDRESS_PROPERTY} as set here.
   */
  static void beforeH2() {}

  private static final Logger log = LoggerFactory.getLogger(Store.class);
  /**
   * The newest schema version this build migrates to (the highest {@code V<n>__} under
   * {@code db/migration}; a test keeps the two equal). A command connected to a daemon's store does
   * not migrate (the daemon did, at its start) but checks the daemon's schema is this one.
   */
  public static final String SCHEMA_VERSION = "23";

  private final HikariDataSource dataSource;
  private final String description;
  private final Engine engine;
  private final String schemaVersion;
  private final String migratedFrom;
  private volatile StoreServer server;

  /** The database engines certkeeper runs on. */
  public enum Engine {
    H2, POSTGRESQL
  }

  private Store(HikariDataSource dataSource, String description, Engine engine, String schemaVersion,
      String migratedFrom) {
    this.dataSource = dataSource;
    this.description = description;
    this.engine = engine;
    this.schemaVersion = schemaVersion;
    this.migratedFrom = migratedFrom;
  }

  /** The URL of the embedded H2 file database under {@code dataDir}, opened by this process itself. */
  public static String h2Url(Path dataDir) {
    // retry: H2's file system that reopens a file channel closed by Thread.interrupt() and goes on.
    //   Without it, an interrupt that reaches any thread inside H2 (Quartz interrupts its own
    //   threads on shutdown) closes the database for every connection of this process.
    // No AUTO_SERVER: only the daemon serves the file (StoreServer); see the class comment there.
    // No DB_CLOSE_DELAY: the database closes, and releases its files, when the last connection
    //   closes; closing the pool closes them all (see close()).
    // WRITE_DELAY=0: a commit reaches the file at once, so a killed process loses no committed work.
    return "jdbc:h2:file:" + h2DatabaseName(dataDir) + ";LOCK_TIMEOUT=10000;WRITE_DELAY=0";
  }

  /**
   * Added to {@link #h2Url} when a command holds the file itself (no daemon serves it): the file is
   * closed without compacting. H2 otherwise spends up to 200 ms rewriting chunks when its last
   * connection closes, which is most of what a short command like {@code status} costs at its end;
   * the daemon, which holds the file for long, still compacts at its close, and H2 reuses the space
   * of unused chunks either way.
   */
  static final String COMMAND_SETTINGS = ";MAX_COMPACT_TIME=0";

  /** H2's name for the database under {@code dataDir}: the one the embedded URL opens. */
  static String h2DatabaseName(Path dataDir) {
    return "retry:" + dataDir.toAbsolutePath().normalize().resolve("certkeeper");
  }

  /**
   * What opening the store may do to its schema. Only the daemon and {@code certkeeper migrate}
   * change it; every other command checks that the schema is this build's and refuses otherwise,
   * so that a newer CLI never upgrades a store (a fleet's, or a daemon's of the older version)
   * behind its back. A schema newer than this build is refused in both modes: Flyway alone would
   * ignore the future versions and let this build write into a schema it does not know.
   */
  public enum Schema {
    /** Create or upgrade the schema to this build's ({@code daemon}, {@code migrate}). */
    MIGRATE,
    /**
     * Require this build's schema. An embedded store that this process creates (no schema at all:
     * a new data directory) is created, since no one else can be using it yet.
     */
    CHECK
  }

  /**
   * Opens the pool and migrates the schema.
   *
   * @param url JDBC URL ({@code jdbc:h2:} or {@code jdbc:postgresql:})
   * @param user user, or empty
   * @param password password, or empty
   * @param poolSize maximum pool size
   * @throws StoreException when the database cannot be reached or migrated, naming the URL
   */
  public static Store open(String url, Optional<String> user, Optional<char[]> password, int poolSize)
      throws StoreException {
    return open(url, user, password, poolSize, Schema.MIGRATE);
  }

  /**
   * Opens the pool; migrates the schema or checks it as {@code schema} says.
   *
   * @throws StoreException when the database cannot be reached or migrated, or its schema is not
   *     this build's and may not be changed here, naming the URL and what to do
   */
  public static Store open(String url, Optional<String> user, Optional<char[]> password, int poolSize, Schema schema)
      throws StoreException {
    return open(url, user, password, poolSize, schema, Served.NO, false);
  }

  /** Whether the embedded store is served to this process by a running daemon. */
  private enum Served { NO, BY_DAEMON }

  private static Store open(String url, Optional<String> user, Optional<char[]> password, int poolSize,
      Schema schema, Served served, boolean mayCreate) throws StoreException {
    Objects.requireNonNull(url, "url");
    Engine engine = url.startsWith("jdbc:postgresql:") ? Engine.POSTGRESQL : Engine.H2;
    // the daemon's server names the database by a secret key: not for logs
    String shown = Redaction.url(url).replaceFirst("^(jdbc:h2:tcp://[^/]+/)[0-9a-f]{32}", "$1(key)");
    if (engine == Engine.H2) {
      requireBindAddressInForce(shown);
    }
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(url);
    user.ifPresent(hc::setUsername);
    password.ifPresent(p -> hc.setPassword(new String(p)));
    hc.setMaximumPoolSize(poolSize);
    hc.setMinimumIdle(1);
    hc.setPoolName("certkeeper-store");
    hc.setConnectionTimeout(15_000);
    // Fail at once when the database cannot be reached: the caller reports it, systemd retries.
    hc.setInitializationFailTimeout(1);
    hc.setAutoCommit(true);
    hc.setExceptionOverrideClassName(EvictBrokenConnections.class.getName());
    HikariDataSource ds = openPool(hc, shown);
    // A store already at this build's schema needs no migration: Flyway (which scans the class
    // path and takes a lock) is loaded only to create or upgrade a store.
    String found;
    try {
      found = hasSchemaHistory(ds) ? currentVersion(ds) : NO_SCHEMA;
    } catch (SQLException e) {
      ds.close();
      throw new StoreException("cannot read the store at " + shown + ": " + rootMessage(e), e);
    }
    int order = compareVersions(found, SCHEMA_VERSION);
    if (order == 0) {
      return new Store(ds, shown, engine, found, found);
    }
    if (order > 0) {
      ds.close();
      throw new StoreException("the store at " + shown + " has schema version " + found + ", newer than this"
          + " certkeeper's (" + Version.current() + ", schema " + SCHEMA_VERSION + "): a newer certkeeper upgraded"
          + " it; upgrade certkeeper here too");
    }
    boolean create = NO_SCHEMA.equals(found) && mayCreate;
    if (schema == Schema.CHECK && !create) {
      ds.close();
      if (served == Served.BY_DAEMON) {
        throw new StoreException("the running daemon's store has schema version " + found + ", this certkeeper"
            + " needs " + SCHEMA_VERSION + ": restart the daemon (it runs another version)");
      }
      throw new StoreException("the store at " + shown + (NO_SCHEMA.equals(found) ? " has no schema yet"
          : " has schema version " + found) + ", this certkeeper needs " + SCHEMA_VERSION
          + ": run 'certkeeper migrate' (or start the daemon of this version), which upgrades it for every"
          + " certkeeper that uses it");
    }
    try {
      MigrateResult r = Flyway.configure()
          .dataSource(ds)
          .locations("classpath:db/migration/common",
              "classpath:db/migration/" + (engine == Engine.POSTGRESQL ? "postgresql" : "h2"))
          .failOnMissingLocations(false)
          .load()
          .migrate();
      String version = r.targetSchemaVersion != null ? r.targetSchemaVersion : currentVersion(ds);
      if (compareVersions(version, SCHEMA_VERSION) > 0) {
        // another process of a newer build migrated it while this one waited for Flyway's lock
        ds.close();
        throw new StoreException("the store at " + shown + " has schema version " + version + ", newer than this"
            + " certkeeper's (" + SCHEMA_VERSION + "): upgrade certkeeper here too");
      }
      if (!NO_SCHEMA.equals(found)) {
        log.info("{} - schema upgraded from version {} to {}", shown, found, version);
      }
      return new Store(ds, shown, engine, version, found);
    } catch (FlywayException | SQLException e) {
      ds.close();
      throw new StoreException("cannot migrate the store at " + shown + ": " + rootMessage(e), e);
    }
  }

  /** Whether {@code e} (or a cause) is a unique constraint's violation (SQLSTATE 23505 on H2 and PostgreSQL). */
  static boolean isUniqueViolation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException se && "23505".equals(se.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /** What {@link #currentVersion} finds in a database without Flyway's history. */
  static final String NO_SCHEMA = "none";

  /**
   * Orders two schema versions ("10" after "9"; dotted versions part by part); no schema comes
   * before every version.
   */
  static int compareVersions(String a, String b) {
    if (a.equals(b)) {
      return 0;
    }
    if (NO_SCHEMA.equals(a) || NO_SCHEMA.equals(b)) {
      return NO_SCHEMA.equals(a) ? -1 : 1;
    }
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      java.math.BigInteger p = new java.math.BigInteger(i < x.length ? x[i] : "0");
      java.math.BigInteger q = new java.math.BigInteger(i < y.length ? y[i] : "0");
      int c = p.compareTo(q);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  /**
   * Opens the embedded H2 store under {@code dataDir} with a password: {@code password} when the
   * configuration names one, else the data directory's {@link StoreSecret} (generated now, before
   * the database, when missing). When a daemon serves the store ({@link StoreServer#find}) this
   * process connects to it; otherwise it opens the file itself ({@link #h2Url}) and serves it to
   * nobody, so another command waits until this one closes it. A store created before certkeeper
   * set passwords (the empty one) gets this password first, when this process holds the file.
   *
   * @throws StoreException naming the file when the password is refused or cannot be read
   */
  public static Store openEmbedded(Path dataDir, Optional<String> user, Optional<char[]> password, int poolSize)
      throws StoreException {
    return openEmbedded(dataDir, user, password, poolSize, StoreWait.none());
  }

  /**
   * As {@link #openEmbedded(Path, Optional, Optional, int)}, waiting while the file is held by
   * another process: a daemon starting (after a crash, when it first has to take over the dead
   * one's lock), a daemon stopping, or another command that opened it while no daemon ran. Such
   * failures are retried, with a fresh look for a daemon's server each time, until {@code wait}'s
   * budget is spent; {@code wait} is told once, at the first of them.
   */
  public static Store openEmbedded(Path dataDir, Optional<String> user, Optional<char[]> password, int poolSize,
      StoreWait wait) throws StoreException {
    return openEmbedded(dataDir, user, password, poolSize, wait, Schema.MIGRATE);
  }

  /**
   * As {@link #openEmbedded(Path, Optional, Optional, int, StoreWait)}, migrating or checking the
   * schema as {@code schema} says. A store a running daemon serves is only ever checked: the daemon
   * migrated it at its start.
   */
  public static Store openEmbedded(Path dataDir, Optional<String> user, Optional<char[]> password, int poolSize,
      StoreWait wait, Schema schema) throws StoreException {
    return waitFor(dataDir, wait, () -> openEmbeddedOnce(dataDir, user, password, poolSize, false, schema));
  }

  /**
   * Opens the embedded H2 store under {@code dataDir} as {@link #openEmbedded(Path, Optional,
   * Optional, int, StoreWait)} does, but always holding the file in this process, and serves it to
   * CLI commands ({@link StoreServer}) until {@link #close()}: the daemon's way to open its store.
   */
  public static Store serveEmbedded(Path dataDir, Optional<String> user, Optional<char[]> password, int poolSize,
      StoreWait wait) throws StoreException {
    Store store = waitFor(dataDir, wait, () -> openEmbeddedOnce(dataDir, user, password, poolSize, true,
        Schema.MIGRATE));
    try {
      store.server = StoreServer.start(dataDir, h2DatabaseName(dataDir));
    } catch (StoreException e) {
      store.close();
      throw e;
    }
    return store;
  }

  @FunctionalInterface
  private interface Opening {
    Store open() throws StoreException;
  }

  private static Store waitFor(Path dataDir, StoreWait wait, Opening opening) throws StoreException {
    Objects.requireNonNull(wait, "wait");
    long deadline = System.nanoTime() + wait.budget().toNanos();
    long pause = StoreWait.RETRY_EVERY.toMillis();
    boolean told = false;
    while (true) {
      try {
        return opening.open();
      } catch (StoreException e) {
        if (!isHeldByAnotherProcess(e) || System.nanoTime() - deadline >= 0) {
          throw e;
        }
        if (!told) {
          told = true;
          wait.onFirstWait().run();
        }
        log.debug("{} - store held by another process, retrying: {}", dataDir, e.getMessage());
      }
      try {
        // Jittered and growing: several processes racing for a stale lock file must not retry in step.
        Thread.sleep(pause + java.util.concurrent.ThreadLocalRandom.current().nextLong(pause + 1));
        pause = Math.min(pause * 2, StoreWait.RETRY_MAX.toMillis());
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new StoreException("interrupted while waiting for the store under " + dataDir, ie);
      }
    }
  }

  /**
   * Whether opening failed only because another process holds the file for a moment: it is
   * taking the lock (a daemon starting after a crash), or its server is going away (a daemon
   * stopping). H2 codes: 90020 file locked (the operating system's lock on the file), 90067
   * connection to the daemon's server broken, 90098 and 90121 database closed under us.
   */
  static boolean isHeldByAnotherProcess(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException se) {
        int code = se.getErrorCode();
        if (code == 90020 || code == 90067 || code == 90098 || code == 90121) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The embedded files this process holds, with how many of its stores hold each. Nothing may open
   * (and so close) another channel on such a file here: closing any descriptor of a file drops
   * every lock this process holds on it (POSIX), and another process could then open it too.
   */
  private static final java.util.concurrent.ConcurrentHashMap<Path, Integer> HELD_HERE =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** The embedded file this store holds in this process, if it does. */
  private volatile Path heldFile;

  private static Store openEmbeddedOnce(Path dataDir, Optional<String> user, Optional<char[]> password, int poolSize,
      boolean hold, Schema schema) throws StoreException {
    Path file = dataDir.toAbsolutePath().normalize().resolve("certkeeper.mv.db");
    Optional<StoreServer.Endpoint> daemon = hold ? Optional.empty() : StoreServer.find(dataDir);
    if (daemon.isEmpty() && !HELD_HERE.containsKey(file)) {
      // this process is about to hold the file: after a crash, first find the newest committed work
      H2Recovery.recover(file);
    }
    Store store = openEmbeddedOnce(dataDir, user, password, poolSize, hold, schema, daemon);
    if (store.description.startsWith("jdbc:h2:file:")) {
      store.heldFile = file;
      HELD_HERE.merge(file, 1, Integer::sum);
    }
    return store;
  }

  private static Store openEmbeddedOnce(Path dataDir, Optional<String> user, Optional<char[]> password, int poolSize,
      boolean hold, Schema schema, Optional<StoreServer.Endpoint> daemon) throws StoreException {
    char[] secret = password.isPresent() ? password.get() : StoreSecret.readOrCreate(dataDir);
    String url = daemon.map(d -> d.url() + ";LOCK_TIMEOUT=10000")
        .orElseGet(() -> hold ? h2Url(dataDir) : h2Url(dataDir) + COMMAND_SETTINGS);
    try {
      return daemon.isEmpty()
          ? open(url, user, Optional.of(secret), poolSize, schema, Served.NO, true)
          : open(url, user, Optional.of(secret), poolSize, Schema.CHECK, Served.BY_DAEMON, false);
    } catch (StoreException e) {
      if (!isWrongPassword(e)) {
        throw e;
      }
    }
    String source = password.isPresent() ? "store.password" : StoreSecret.file(dataDir).toString();
    Path db = dataDir.toAbsolutePath().normalize().resolve("certkeeper.mv.db");
    Upgrade upgrade = setPasswordOnce(url, user, secret, db, source);
    if (upgrade == Upgrade.SERVED_ELSEWHERE) {
      log.warn("{} - has no password yet and is served by another process (an earlier certkeeper daemon?);"
          + " restart the daemon to set it", db);
      return open(url, user, Optional.of(new char[0]), poolSize, Schema.CHECK, Served.BY_DAEMON, false);
    }
    log.info("{} - set the store's password (from {}); the empty password of earlier versions no longer opens it",
        db, source);
    return open(url, user, Optional.of(secret), poolSize, schema, Served.NO, true);
  }

  /**
   * Which process has the embedded store under {@code dataDir} open, if one has: a daemon serving it
   * ({@link StoreServer#find}), or any process holding the file's lock (a command, or a daemon that
   * is starting). The lock is tested by trying to take it; the operating system drops it with its
   * process, so a process killed dead leaves nothing behind that counts.
   */
  public static Optional<String> heldElsewhere(Path dataDir) {
    Optional<StoreServer.Endpoint> daemon = StoreServer.find(dataDir);
    if (daemon.isPresent()) {
      return Optional.of("a daemon, pid " + daemon.get().pid() + ", serves it");
    }
    Path db = dataDir.toAbsolutePath().normalize().resolve("certkeeper.mv.db");
    if (HELD_HERE.containsKey(db)) {
      // testing the lock here would open and close another channel on the file: that drops ours
      return Optional.of("a process holds the lock of " + db);
    }
    if (!java.nio.file.Files.isRegularFile(db)) {
      return Optional.empty();
    }
    // A name of its own (no "retry:"), so this JVM's open store is not shared but meets the lock;
    // a user that does not exist, so nothing is opened past the lock.
    String url = "jdbc:h2:file:" + db.toString().replaceFirst("\\.mv\\.db$", "")
        + ";IFEXISTS=TRUE;TRACE_LEVEL_FILE=0";
    try {
      DriverManager.getConnection(url, "certkeeper-lock-test-" + System.nanoTime(), "-").close();
      return Optional.empty();
    } catch (SQLException e) {
      return isHeldByAnotherProcess(e) ? Optional.of("a process holds the lock of " + db) : Optional.empty();
    }
  }

  /** As {@link #openEmbedded(Path, Optional, Optional, int)} with the data directory's own password. */
  public static Store openEmbedded(Path dataDir, int poolSize) throws StoreException {
    return openEmbedded(dataDir, Optional.empty(), Optional.empty(), poolSize);
  }

  private enum Upgrade {
    PASSWORD_SET, SERVED_ELSEWHERE
  }

  /** Sets {@code secret} on a store whose user still has the empty password of earlier versions. */
  private static Upgrade setPasswordOnce(String url, Optional<String> user, char[] secret, Path db, String source)
      throws StoreException {
    try (Connection c = DriverManager.getConnection(url, user.orElse(""), "")) {
      if (!servedHere(c)) {
        return Upgrade.SERVED_ELSEWHERE;
      }
      String name;
      try (var st = c.createStatement(); var rs = st.executeQuery("SELECT CURRENT_USER")) {
        rs.next();
        name = rs.getString(1);
      }
      try (PreparedStatement ps = c.prepareStatement(
          "ALTER USER \"" + name.replace("\"", "\"\"") + "\" SET PASSWORD ?")) {
        ps.setString(1, new String(secret));
        ps.execute();
      }
      return Upgrade.PASSWORD_SET;
    } catch (SQLException e) {
      if (WRONG_PASSWORD_STATE.equals(e.getSQLState())) {
        throw new StoreException("the store " + db + " refuses the password from " + source
            + " (restored without the store.secret it was backed up with, or store.password changed?)", e);
      }
      throw new StoreException("cannot set a password on the store " + db + ": " + rootMessage(e), e);
    }
  }

  /** Whether this process holds the H2 file itself rather than being a client of the process that does. */
  private static boolean servedHere(Connection c) throws SQLException {
    return !(c.unwrap(org.h2.jdbc.JdbcConnection.class).getSession() instanceof org.h2.engine.SessionRemote);
  }

  static boolean isWrongPassword(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException && WRONG_PASSWORD_STATE.equals(((SQLException) t).getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /** The pool; a store another process holds fails here with H2's 90020, which {@link #waitFor} retries. */
  private static HikariDataSource openPool(HikariConfig hc, String shown) throws StoreException {
    try {
      return new HikariDataSource(hc);
    } catch (RuntimeException e) {
      throw new StoreException("cannot open the store at " + shown + ": " + rootMessage(e), e);
    }
  }

  /**
   * Refuses to open an H2 store when H2 was loaded before {@link #BIND_ADDRESS_PROPERTY} was set:
   * its mixed-mode server would then listen on every interface.
   */
  private static void requireBindAddressInForce(String shown) throws StoreException {
    if (org.h2.engine.SysProperties.BIND_ADDRESS == null) {
      throw new StoreException("cannot open the store at " + shown + ": H2 was loaded before certkeeper could"
          + " restrict its server to " + LOOPBACK + "; set -D" + BIND_ADDRESS_PROPERTY + "=" + LOOPBACK);
    }
  }

  /** Whether Flyway's history table exists (asked of the catalog: a failing query would leave a trace file). */
  private static boolean hasSchemaHistory(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        ResultSet rs = c.getMetaData().getTables(null, null, "flyway_schema_history", new String[] {"TABLE"})) {
      return rs.next();
    }
  }

  private static String currentVersion(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        var st = c.createStatement();
        var rs = st.executeQuery(
            "SELECT \"version\" FROM \"flyway_schema_history\" WHERE \"success\" = TRUE ORDER BY \"installed_rank\" DESC")) {
      return rs.next() ? rs.getString(1) : "none";
    }
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return m.lines().findFirst().orElse(m);
  }

  /**
   * The pooled data source. Production code reaches the database through the repositories (and
   * Quartz through {@link JobStoreConnections}); this is for tests and benchmarks that set up rows
   * no repository writes.
   */
  public DataSource dataSource() {
    return dataSource;
  }

  public Engine engine() {
    return engine;
  }

  /** The URL with any password masked: safe to log. */
  public String description() {
    return description;
  }

  /** The schema version after migration. */
  public String schemaVersion() {
    return schemaVersion;
  }

  /** The schema version found when the store was opened ({@value #NO_SCHEMA} for a new store). */
  public String migratedFrom() {
    return migratedFrom;
  }

  /** A pooled connection; callers close it. */
  Connection connection() throws SQLException {
    return dataSource.getConnection();
  }

  /**
   * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws.
   * Everything done through the {@link Transaction} it is handed (its repositories) commits together
   * or not at all: the way to make writes to several aggregates atomic, such as a state change and
   * the alert it raises.
   */
  public <T> T inTransaction(Work<T> work) throws StoreException {
    Objects.requireNonNull(work, "work");
    try (Connection c = dataSource.getConnection()) {
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      Transaction tx = new Transaction(c);
      try {
        T result = work.run(tx);
        c.commit();
        return result;
      } catch (StoreException | SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        tx.end();
        c.setAutoCommit(auto);
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** Work inside one transaction, through the repositories of its {@link Transaction}. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Transaction tx) throws StoreException;
  }

  /** Runs SQL on one connection inside one transaction: how this package's repositories reach the database. */
  <T> T transaction(Transactional<T> work) throws StoreException {
    return inTransaction(tx -> tx.run(work));
  }

  /** Work on one connection inside a transaction. */
  @FunctionalInterface
  interface Transactional<T> {
    T run(Connection connection) throws SQLException;
  }

  /** A failed statement, as every repository reports it. */
  static StoreException failure(SQLException e) {
    return new StoreException("store: " + rootMessage(e), e);
  }

  /** Whether a trivial query answers now (for readiness checks). */
  public boolean isReachable() {
    try (Connection c = dataSource.getConnection()) {
      return c.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * Closes every pooled connection and so, for the embedded store, the database itself: H2 closes
   * a file database when its last connection closes, and HikariCP's close returns only once every
   * connection is closed. When this returns the files are released (the file lock is gone, nothing
   * writes there any more) and the store can be opened again at once, here or in another process.
   * A process that is a client of the daemon's server only drops its connections; the daemon
   * stops serving first ({@link StoreServer#close()}).
   */
  @Override
  public void close() {
    StoreServer s = server;
    server = null;
    if (s != null) {
      s.close(); // commands first: they lose their connections, then the file closes
    }
    dataSource.close();
    Path file = heldFile;
    heldFile = null;
    if (file != null) {
      HELD_HERE.computeIfPresent(file, (f, n) -> n == 1 ? null : n - 1);
    }
  }
}
