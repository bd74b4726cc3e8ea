package io.certkeeper.testing;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An {@code openssl s_server} process on a loopback port. s_server cannot bind port 0, so a free
 * port is picked first and the start is retried if another process took it meanwhile.
 */
public final class OpenSslServer implements Closeable {
  private final Process process;
  private final int port;
  private final Path log;

  private OpenSslServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts {@code openssl s_server -accept PORT -quiet ARGS...} and waits until it listens. */
  public static OpenSslServer start(Path dir, String... args) throws IOException, InterruptedException {
    IOException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      List<String> command = new ArrayList<>(List.of("openssl", "s_server", "-accept",
          "127.0.0.1:" + port, "-quiet"));
      command.addAll(List.of(args));
      Path log = dir.resolve("s_server-" + port + ".log");
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (System.nanoTime() < deadline && p.isAlive()) {
        if (listening(port)) {
          return new OpenSslServer(p, port, log);
        }
        Thread.sleep(20);
      }
      p.destroyForcibly();
      last = new IOException("openssl s_server did not start on port " + port + ": "
          + java.nio.file.Files.readString(log));
    }
    throw last;
  }

  private static boolean listening(int port) {
    // A bare TCP connect; s_server treats it as a failed handshake and carries on.
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public int port() {
    return port;
  }

  Path log() {
    return log;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(2, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
