package io.certkeeper.cli;

import io.certkeeper.store.Store;
import io.certkeeper.store.StoreSecret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;

/**
 * Closes the H2 stores that commands run in-process opened under a test's folder: the store's URL
 * keeps a database open until its last connection closes, and a command's test may leave one open.
 */
final class InProcessStores {
  private InProcessStores() {}

  static void shutDownAll(Path root) throws Exception {
    List<Path> locked;
    try (Stream<Path> s = Files.walk(root)) {
      locked = s.filter(p -> p.getFileName().toString().equals("certkeeper.mv.db")).toList();
    }
    for (Path lock : locked) {
      Path data = lock.getParent();
      if (RestoreCommand.storeInUse(data).isEmpty()) {
        continue; // not open anywhere
      }
      String password = new String(StoreSecret.read(data).orElse(new char[0]));
      try (Connection c = DriverManager.getConnection(Store.h2Url(data), "", password);
          Statement st = c.createStatement()) {
        st.execute("SHUTDOWN");
      }
    }
  }
}
