package io.certkeeper.store;

import io.certkeeper.util.AtomicFiles;
import io.certkeeper.util.BoundedRead;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;
import org.h2.tools.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's loopback server for its embedded store, and the file {@value #FILE} that tells CLI
 * commands where it listens.
 *
 * <p>Only the daemon serves the store. It holds the H2 file itself and starts this server after;
 * a CLI command connects to it when {@value #FILE} names a live daemon, and otherwise opens the
 * file itself without serving it to anyone (a second command waits for the first). So no process
 * ever depends on a short-lived process for its database: H2's automatic mixed mode, where the first
 * opener serves the others, broke the daemon's and the other commands' connections whenever a
 * command that happened to open first exited.
 *
 * <p>The server is private three ways: it binds 127.0.0.1 ({@link Store#BIND_ADDRESS_PROPERTY})
 * and refuses remote peers; it serves one database, under a random 128-bit name written only into
 * the owner-only {@value #FILE}; and the database has a password ({@link StoreSecret}).
 */
public final class StoreServer implements AutoCloseable {
  /** The file in the data directory that names the daemon's store server while it runs. */
  public static final String FILE = "store.server";
  private static final Logger log = LoggerFactory.getLogger(StoreServer.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_FILE_BYTES = 4096;

  private final Server server;
  private final Path file;

  private StoreServer(Server server, Path file) {
    this.server = server;
    this.file = file;
  }

  /** Where a running daemon serves the store: its TCP port and the database's name there. */
  public record Endpoint(int port, String key, long pid) {
    /** The JDBC URL of the store at this endpoint. */
    String url() {
      return "jdbc:h2:tcp://" + Store.LOOPBACK + ":" + port + "/" + key;
    }
  }

  /**
   * Serves the database {@code databaseName} (the name the embedded pool opened, so both share one
   * open database in this process) on a free loopback port, and then writes {@value #FILE}.
   */
  static StoreServer start(Path dataDir, String databaseName) throws StoreException {
    String key = HexFormat.of().formatHex(randomBytes());
    Server server;
    try {
      // no -tcpAllowOthers: peers other than this host are refused; h2.bindAddress binds loopback.
      server = Server.createTcpServer("-tcpPort", "0", "-ifExists", "-key", key, databaseName).start();
    } catch (SQLException e) {
      throw new StoreException("cannot serve the store to CLI commands: " + Store.rootMessage(e), e);
    }
    Path file = dataDir.resolve(FILE);
    Properties p = new Properties();
    p.setProperty("port", Integer.toString(server.getPort()));
    p.setProperty("key", key);
    p.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
    ProcessHandle.current().info().startInstant().ifPresent(t -> p.setProperty("started", t.toString()));
    StringBuilder text = new StringBuilder("# the daemon's store server; removed when it stops\n");
    for (String name : new String[] {"port", "key", "pid", "started"}) {
      if (p.getProperty(name) != null) {
        text.append(name).append('=').append(p.getProperty(name)).append('\n');
      }
    }
    try {
      AtomicFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8), AtomicFiles.PRIVATE);
    } catch (IOException e) {
      server.stop();
      throw new StoreException("cannot write " + file + ": " + e.getMessage(), e);
    }
    log.debug("store - served to CLI commands on {}:{}", Store.LOOPBACK, server.getPort());
    return new StoreServer(server, file);
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return b;
  }

  /**
   * The endpoint {@value #FILE} names, when it names a live process of this user that started when
   * the file says (so not a process that took over a dead daemon's pid); empty when there is no
   * file, or it is left over from a daemon killed dead.
   */
  public static Optional<Endpoint> find(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try {
      p.load(new StringReader(BoundedRead.text(file, MAX_FILE_BYTES, StandardCharsets.UTF_8)));
      int port = Integer.parseInt(p.getProperty("port", "").trim());
      String key = p.getProperty("key", "").trim();
      long pid = Long.parseLong(p.getProperty("pid", "").trim());
      if (port < 1 || port > 65535 || !key.matches("[0-9a-f]{32}")) {
        return Optional.empty();
      }
      Optional<ProcessHandle> process = ProcessHandle.of(pid);
      if (process.isEmpty() || !process.get().isAlive()) {
        return Optional.empty();
      }
      String started = p.getProperty("started");
      Optional<Instant> actual = process.get().info().startInstant();
      if (started != null && actual.isPresent() && !actual.get().toString().equals(started.trim())) {
        return Optional.empty();
      }
      return Optional.of(new Endpoint(port, key, pid));
    } catch (IOException | RuntimeException e) {
      log.debug("{} - ignored: {}", file, e.getMessage());
      return Optional.empty();
    }
  }

  /** Removes {@value #FILE}, then stops the server (its connections end; the embedded database stays open). */
  @Override
  public void close() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.warn("{} - cannot remove: {}", file, e.getMessage());
    }
    server.stop();
  }
}
