package io.certkeeper.store;

import static io.certkeeper.testing.StorePort.listeningOn;
import static io.certkeeper.testing.StorePort.serverFile;
import static io.certkeeper.testing.StorePort.loopbackOnly;
import static io.certkeeper.testing.StorePort.nonLoopbackAddresses;
import static io.certkeeper.testing.StorePort.port;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.OpenSsl;
import io.certkeeper.testing.StorePort;
import io.certkeeper.x509.Pem;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's store server (which lets CLI commands share the daemon's file) is reachable from
 * this host's loopback only and asks for a password besides the database key in {@code
 * store.server}; a command's own open serves nothing; stores made before passwords get one when
 * first opened.
 *
 * <p>H2 only: the server, {@code store.server}, {@code store.secret} and the password upgrade exist for
 * the embedded store alone; a PostgreSQL store is guarded by PostgreSQL's own authentication.
 */
@Tag("security")
class StoreSecurityTest {
  @TempDir Path dir;

  @Test
  @SuppressWarnings("try") // the store is held open (served) while the body probes its server
  void theSharedStoreListensOnLoopbackOnly() throws Exception {
    try (Store store = served(dir)) {
      Properties server = serverFile(dir);
      int port = port(server);
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("store.server"))));
      assertEquals(Long.toString(ProcessHandle.current().pid()), server.getProperty("pid"));
      List<String> bound = listeningOn(port);
      assertTrue(loopbackOnly(bound), "bound to " + bound);
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 5000);
      }
      for (InetAddress a : nonLoopbackAddresses()) {
        try (Socket s = new Socket()) {
          assertThrows(ConnectException.class, () -> s.connect(new InetSocketAddress(a, port), 5000),
              "the store's port answers on " + a.getHostAddress());
        }
      }
    }
  }

  @Test
  @SuppressWarnings("try") // the store is held open (served) while the body probes its server
  void theServersKeyWithTheEmptyPasswordIsRefused() throws Exception {
    try (Store store = served(dir)) {
      String url = StorePort.url(serverFile(dir));
      SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(url, "", "").close());
      assertEquals("28000", e.getSQLState(), e.getMessage());
      // the same URL with the data dir's password is let in: the refusal above is the password's
      String secret = new String(StoreSecret.read(dir).orElseThrow());
      try (Connection c = DriverManager.getConnection(url, "", secret)) {
        assertTrue(c.isValid(5));
      }
    }
  }

  @Test
  @SuppressWarnings("try") // the store is held open (served) while the body probes its server
  void anotherDatabaseNameOnTheServerIsRefusedEvenWithThePassword() throws Exception {
    try (Store store = served(dir)) {
      Properties server = serverFile(dir);
      String secret = new String(StoreSecret.read(dir).orElseThrow());
      for (String name : List.of(dir.resolve("certkeeper").toString(), "mem:x", "0123456789abcdef0123456789abcdef")) {
        String url = "jdbc:h2:tcp://127.0.0.1:" + port(server) + "/" + name;
        SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(url, "", secret).close(),
            name);
        assertEquals("28000", e.getSQLState(), e.getMessage());
      }
    }
  }

  @Test
  @SuppressWarnings("try") // the daemon's store is held open (served) while a command connects
  void aCommandsOwnOpenServesNothingAndWaitsForTheDaemonsServerWhenThereIsOne() throws Exception {
    try (Store mine = Store.openEmbedded(dir, 2)) {
      assertFalse(Files.exists(dir.resolve("store.server")), "a command serves the store to nobody");
      assertTrue(mine.isReachable());
    }
    try (Store daemon = served(dir); Store command = Store.openEmbedded(dir, 2)) {
      assertTrue(command.description().startsWith("jdbc:h2:tcp://127.0.0.1:" + port(serverFile(dir)) + "/(key)"),
          "a command connects to the daemon's server, and does not log its key: " + command.description());
      assertTrue(command.isReachable());
    }
    assertFalse(Files.exists(dir.resolve("store.server")), "removed when the daemon's store closes");
  }

  @Test
  @SuppressWarnings("try") // the store is held open while the body reopens it
  void theStorePasswordIsGeneratedOwnerOnlyBeforeTheDatabase() throws Exception {
    try (Store store = Store.openEmbedded(dir, 2)) {
      Path secret = dir.resolve(StoreSecret.FILE_NAME);
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)));
      String value = Files.readString(secret).strip();
      assertTrue(value.matches("[A-Za-z0-9_-]{43}"), "32 random bytes in base64url: " + value.length());
      try (Store again = Store.openEmbedded(dir, 2)) {
        assertEquals(value, Files.readString(secret).strip(), "generated once");
      }
    }
  }

  @Test
  void aStoreMadeWithTheEmptyPasswordGetsTheGeneratedOneAtFirstOpen() throws Exception {
    X509Certificate cert = Pem.readCertificates(OpenSsl.selfSigned(dir, "a", "a.example", 30)).get(0);
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    // what earlier versions did: no user, no password
    try (Store old = Store.open(Store.h2Url(data), Optional.empty(), Optional.empty(), 2)) {
      new CertificateRepository(old).upsert(cert, CertificateRecord.Source.OBSERVED, Instant.now());
    }
    shutdown(data, "");
    assertFalse(Files.exists(data.resolve(StoreSecret.FILE_NAME)));

    try (Store store = Store.openEmbedded(data, 2)) {
      assertEquals(1, new CertificateRepository(store).summary(Instant.now(), Instant.now()).total());
    }
    String secret = new String(StoreSecret.read(data).orElseThrow());
    shutdown(data, secret);

    // on disk now: the empty password no longer opens it, the generated one does
    SQLException e = assertThrows(SQLException.class,
        () -> DriverManager.getConnection(Store.h2Url(data), "", "").close());
    assertEquals("28000", e.getSQLState());
    shutdown(data, secret);
    try (Store store = Store.openEmbedded(data, 2)) {
      assertEquals(1, new CertificateRepository(store).summary(Instant.now(), Instant.now()).total());
    }
  }

  @Test
  void aPasswordFileThatDoesNotFitTheStoreIsOneLineNamingTheFile() throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    try (Store store = Store.openEmbedded(data, 2)) {
      assertTrue(store.isReachable());
    }
    String secret = new String(StoreSecret.read(data).orElseThrow());
    shutdown(data, secret);
    Files.writeString(data.resolve(StoreSecret.FILE_NAME), "not-the-password\n");
    StoreException e = assertThrows(StoreException.class, () -> Store.openEmbedded(data, 2).close());
    assertEquals("the store " + data.resolve("certkeeper.mv.db") + " refuses the password from "
        + data.resolve(StoreSecret.FILE_NAME)
        + " (restored without the store.secret it was backed up with, or store.password changed?)", e.getMessage());
  }

  private static Store served(Path data) throws StoreException {
    return Store.serveEmbedded(data, Optional.empty(), Optional.empty(), 2, StoreWait.none());
  }

  /** Closes the database in this JVM (the URL keeps it open until exit), so the next open reads the file. */
  private static void shutdown(Path data, String password) throws SQLException {
    try (Connection c = DriverManager.getConnection(Store.h2Url(data), "", password);
        Statement st = c.createStatement()) {
      st.execute("SHUTDOWN");
    }
  }
}
