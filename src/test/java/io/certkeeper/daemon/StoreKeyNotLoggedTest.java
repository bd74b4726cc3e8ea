package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreServer;
import io.certkeeper.store.StoreWait;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** A command's --verbose log never shows the key of the daemon's store server (it is in H2's connection URL). */
@Tag("security")
class StoreKeyNotLoggedTest {
  @TempDir Path dir;

  @Test
  @SuppressWarnings("try") // the daemon's store is held open (served) while a command connects
  void aVerboseCommandConnectedToTheDaemonsStoreDoesNotLogItsKey() throws Exception {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    String key;
    try (Store daemon = Store.serveEmbedded(dir, Optional.empty(), Optional.empty(), 2, StoreWait.none())) {
      key = Files.readAllLines(dir.resolve(StoreServer.FILE)).stream()
          .filter(l -> l.startsWith("key=")).findFirst().orElseThrow().substring(4);
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      try {
        Logging.forCli(ctx, true);
        try (Store command = Store.openEmbedded(dir, 2)) {
          assertTrue(command.isReachable());
        }
      } finally {
        System.setErr(err);
        ctx.reset();
      }
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertTrue(log.contains("certkeeper-store - Start completed"), "the pool's own lines are shown: " + log);
    assertFalse(log.contains(key), log);
  }
}
