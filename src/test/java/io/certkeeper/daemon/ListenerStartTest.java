package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.certkeeper.config.Config;
import io.certkeeper.config.ConfigLoader;
import io.certkeeper.store.ListenerState;
import io.certkeeper.store.ListenerStateRepository;
import io.certkeeper.store.Store;
import io.certkeeper.testing.FreePorts;
import io.certkeeper.testing.OpenSsl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the daemon says and records about its listeners: files it refuses by name, addresses as host:port. */
class ListenerStartTest {
  @TempDir Path dir;

  private Config config(Path key, int port) throws Exception {
    OpenSsl.selfSigned(dir, "c", "localhost", 30);
    return ConfigLoader.parse(dir.resolve("certkeeper.yaml"), "listeners:\n  - name: echo1\n    bind: 127.0.0.1:" + port
        + "\n    role: echo\n    certificate: {cert-file: c.pem, key-file: " + key + "}\n");
  }

  @Test
  void aGarbageKeyFileStopsTheStartNamingListenerFileAndReason() throws Exception {
    Path garbage = Files.writeString(dir.resolve("garbage.key"), "not a key at all\n");
    Config c = config(garbage, FreePorts.next());
    try (Store store = Store.openEmbedded(dir.resolve("data"), 2)) {
      IOException e = assertThrows(IOException.class, () -> Listeners.start(c.listeners(), dir.resolve("data"),
          new ListenerStateRepository(store, "node-a"), Clock.systemUTC(), l -> null, Listeners.ManagedCheck.NONE).close());
      assertEquals("listener echo1: " + garbage + ": no unencrypted private key found (expected a PEM block"
          + " 'PRIVATE KEY', 'RSA PRIVATE KEY' or 'EC PRIVATE KEY')", e.getMessage());
    }
  }

  @Test
  @SuppressWarnings("try") // the listeners run while the body reads what they recorded
  void theRecordedBindIsHostAndPort() throws Exception {
    int port = FreePorts.next();
    Config c = config(dir.resolve("c.key"), port);
    try (Store store = Store.openEmbedded(dir.resolve("data"), 2)) {
      ListenerStateRepository states = new ListenerStateRepository(store, "node-a");
      try (Listeners ls = Listeners.start(c.listeners(), dir.resolve("data"), states, Clock.systemUTC(), l -> null,
          Listeners.ManagedCheck.NONE)) {
        List<ListenerState> recorded = states.list();
        assertEquals(1, recorded.size());
        // not "/127.0.0.1:PORT" (InetSocketAddress.toString), which status --json showed
        assertEquals("127.0.0.1:" + port, recorded.get(0).bind());
      }
    }
  }
}
