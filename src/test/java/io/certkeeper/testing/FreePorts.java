package io.certkeeper.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loopback ports for a test to configure before something binds them. The kernel may hand a port
 * just freed out again, so this never returns one port twice in a JVM: two endpoints or listeners
 * of one configuration never collide.
 */
public final class FreePorts {
  private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

  private FreePorts() {}

  /** A port on 127.0.0.1 that nothing listened on just now, and that this JVM has not handed out before. */
  public static int next() {
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (GIVEN.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no loopback port left that was not handed out before");
  }
}
