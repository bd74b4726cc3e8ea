package io.certkeeper.daemon;

import static io.certkeeper.testing.StorePort.listeningOn;
import static io.certkeeper.testing.StorePort.serverFile;
import static io.certkeeper.testing.StorePort.loopbackOnly;
import static io.certkeeper.testing.StorePort.nonLoopbackAddresses;
import static io.certkeeper.testing.StorePort.port;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.util.Json;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged daemon on a data directory an administrator made 0755: the store it shares with the
 * CLI listens on loopback only and wants the password besides the key in store.server, the CLI still
 * shares it, and everything the daemon and the CLI create in the directory (store, server file, password,
 * CA, managed certificates) is owner-only, while it runs and after it stops.
 */
@Tag("security")
class StoreSecurityIT {
  static final Duration START = Duration.ofSeconds(60);
  static final Map<String, String> ENV = Map.of("CA_PASS", "a long enough CA passphrase");

  @TempDir Path dir;

  DaemonProcess.Result cli(Path cfg, Path data, String... args) throws Exception {
    return DaemonProcess.cli(ENV, java.time.Duration.ofSeconds(60), cfg, data, args);
  }

  @Test
  void theDaemonsSharedStoreIsLoopbackOnlyPasswordedAndItsFilesOwnerOnly() throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectory(data);
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path cfg = dir.resolve("certkeeper.yaml");
    Files.writeString(cfg, "ca:\n  passphrase: env:CA_PASS\n"
        + "certificates:\n"
        + "  - name: web\n"
        + "    common-name: localhost\n"
        + "    validity: 30d\n"
        + "    outputs:\n"
        + "      - {type: fullchain, path: " + dir.resolve("out/web.pem") + "}\n");
    DaemonProcess.Result init = cli(cfg, data, "ca", "init", "--name", "IT CA");
    assertEquals(0, init.exitCode(), init.err());

    try (DaemonProcess d = DaemonProcess.start(ENV, "--config", cfg.toString(), "--data-dir", data.toString(),
        "daemon")) {
      d.awaitLine(l -> l.endsWith("Daemon - ready"), START);
      Path current = data.resolve("managed/web/current");
      Instant deadline = Instant.now().plus(START);
      while (!Files.exists(current) && Instant.now().isBefore(deadline)) {
        assertTrue(d.process().isAlive(), String.join("\n", d.lines()));
        Thread.sleep(50);
      }
      assertTrue(Files.exists(current), "the managed certificate was issued: " + String.join("\n", d.lines()));

      Properties server = serverFile(data);
      int port = port(server);
      assertTrue(loopbackOnly(listeningOn(port)), listeningOn(port).toString());
      for (InetAddress a : nonLoopbackAddresses()) {
        try (Socket s = new Socket()) {
          assertThrows(ConnectException.class, () -> s.connect(new InetSocketAddress(a, port), 5000),
              "the store's port answers on " + a.getHostAddress());
        }
      }
      String url = io.certkeeper.testing.StorePort.url(server);
      SQLException refused = assertThrows(SQLException.class, () -> DriverManager.getConnection(url, "", "").close());
      assertEquals("28000", refused.getSQLState(), refused.getMessage());

      // the CLI still shares the running daemon's store
      DaemonProcess.Result status = cli(cfg, data, "status", "--json");
      assertEquals(0, status.exitCode(), status.err());
      JsonNode doc = Json.mapper().readTree(status.out());
      assertEquals("running", doc.at("/daemon/state").asText(), status.out());
      assertEquals("data dir " + data + " is group/world-accessible (0755): chmod 700 " + data,
          doc.at("/warnings/0").asText(), status.out());

      assertEquals(List.of(), DataDirModesTest.accessibleToOthers(data), "while the daemon runs");
      d.signal("TERM");
      assertTrue(d.process().waitFor(15, TimeUnit.SECONDS));
    }
    assertEquals(List.of(), DataDirModesTest.accessibleToOthers(data), "after the daemon stopped");
    assertTrue(Files.exists(data.resolve("store.secret")));
    assertTrue(Files.exists(data.resolve("ca")));
  }
}
