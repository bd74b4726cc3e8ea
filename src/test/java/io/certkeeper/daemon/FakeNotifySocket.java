package io.certkeeper.daemon;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.DomainDatagramSocketAddress;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * What systemd listens on for {@code Type=notify}: a unix datagram socket, bound here through the
 * same native transport the daemon sends with, collecting every message it receives.
 */
final class FakeNotifySocket implements AutoCloseable {
  private final String name;
  private final Socket socket;
  private final List<String> messages = new CopyOnWriteArrayList<>();
  private final Thread reader;
  private volatile boolean open = true;

  /** @param name a path, or {@code @name} for the abstract namespace (as in {@code $NOTIFY_SOCKET}) */
  FakeNotifySocket(String name) throws IOException {
    Epoll.ensureAvailability();
    this.name = name;
    this.socket = LinuxSocket.newSocketDomainDgram();
    socket.bind(new DomainSocketAddress(name.startsWith("@") ? "\0" + name.substring(1) : name));
    reader = new Thread(this::read, "fake-notify-socket");
    reader.setDaemon(true);
    reader.start();
  }

  /** The value for {@code $NOTIFY_SOCKET}. */
  String name() {
    return name;
  }

  private void read() {
    ByteBuffer buf = ByteBuffer.allocateDirect(8192);
    while (open) {
      try {
        buf.clear();
        DomainDatagramSocketAddress from = socket.recvFromDomainSocket(buf, 0, buf.capacity());
        if (from == null) {
          Thread.sleep(5); // non-blocking socket: nothing there yet
          continue;
        }
        byte[] b = new byte[from.receivedAmount()];
        buf.get(0, b);
        messages.add(new String(b, StandardCharsets.UTF_8));
      } catch (IOException e) {
        if (open) {
          messages.add("ERROR " + e);
        }
        return;
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  List<String> messages() {
    return List.copyOf(messages);
  }

  /** Waits for a message matching {@code match} after index {@code from}; returns its index. */
  int await(Predicate<String> match, int from, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      List<String> now = messages();
      for (int i = from; i < now.size(); i++) {
        if (match.test(now.get(i))) {
          return i;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no matching notification within " + timeout + "; received " + messages());
  }

  @Override
  public void close() throws IOException {
    open = false;
    try {
      reader.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    socket.close();
  }
}
