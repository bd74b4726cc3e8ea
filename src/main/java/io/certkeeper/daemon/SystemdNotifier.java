package io.certkeeper.daemon;

import io.certkeeper.util.ErrorText;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd how the service is doing, the way {@code sd_notify(3)} does: one datagram of
 * {@code KEY=VALUE} lines to the unix socket named in {@code $NOTIFY_SOCKET} ({@code Type=notify}).
 * A name starting with {@code @} is in the abstract namespace. Without {@code $NOTIFY_SOCKET}
 * (not under systemd, or another service type) every call does nothing.
 *
 * <p>The JDK has no unix <em>datagram</em> socket, so this sends with {@code sendto(2)} through
 * Netty's native epoll transport: one non-blocking socket, no event loop, no thread (except the
 * watchdog's, when systemd asks for one).
 *
 * <p>The watchdog: when {@code $WATCHDOG_USEC} is set (and {@code $WATCHDOG_PID}, if set, is this
 * process), {@link #startWatchdog} sends {@code WATCHDOG=1} at half that interval while the given
 * check holds. A hung or stopped JVM stops the pings and systemd restarts the service.
 */
public final class SystemdNotifier implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SystemdNotifier.class);

  /** The longest datagram sent; systemd accepts far more, this only bounds a runaway status text. */
  static final int MAX_MESSAGE = 4096;

  private final Optional<String> socketName;
  private final Optional<Duration> watchdogInterval;
  private Socket socket;
  private ScheduledExecutorService watchdog;
  private boolean closed;

  private SystemdNotifier(Optional<String> socketName, Optional<Duration> watchdogInterval) {
    this.socketName = socketName;
    this.watchdogInterval = watchdogInterval;
  }

  /** A notifier that does nothing. */
  public static SystemdNotifier disabled() {
    return new SystemdNotifier(Optional.empty(), Optional.empty());
  }

  /**
   * The notifier systemd's variables describe: {@code $NOTIFY_SOCKET}, {@code $WATCHDOG_USEC},
   * {@code $WATCHDOG_PID}. Disabled when {@code $NOTIFY_SOCKET} is unset or empty.
   */
  public static SystemdNotifier fromEnvironment(Map<String, String> env) {
    String name = env.get("NOTIFY_SOCKET");
    if (name == null || name.isBlank()) {
      return disabled();
    }
    return new SystemdNotifier(Optional.of(name), watchdogInterval(env, ProcessHandle.current().pid()));
  }

  /**
   * How often to ping the watchdog: half of {@code $WATCHDOG_USEC}, as {@code sd_watchdog_enabled(3)}
   * recommends; empty when the watchdog is off or meant for another process.
   */
  static Optional<Duration> watchdogInterval(Map<String, String> env, long pid) {
    String usec = env.get("WATCHDOG_USEC");
    if (usec == null || usec.isBlank()) {
      return Optional.empty();
    }
    String forPid = env.get("WATCHDOG_PID");
    try {
      if (forPid != null && !forPid.isBlank() && Long.parseLong(forPid.trim()) != pid) {
        return Optional.empty();
      }
      long micros = Long.parseLong(usec.trim());
      if (micros <= 0) {
        return Optional.empty();
      }
      return Optional.of(Duration.ofNanos(micros * 1000L / 2));
    } catch (NumberFormatException e) {
      log.warn("systemd - ignoring the watchdog: WATCHDOG_USEC={} WATCHDOG_PID={} are not numbers", usec, forPid);
      return Optional.empty();
    }
  }

  /** Whether messages go anywhere. */
  public boolean enabled() {
    return socketName.isPresent();
  }

  /** Start-up (or a reload) is complete. */
  public void ready(String status) {
    send("READY=1\nSTATUS=" + oneLine(status));
  }

  /**
   * A reload begins; {@link #ready} ends it. Carries the monotonic time that systemd 253+ wants
   * with it ({@link System#nanoTime()} is {@code CLOCK_MONOTONIC} on Linux).
   */
  public void reloading() {
    send("RELOADING=1\nMONOTONIC_USEC=" + System.nanoTime() / 1000 + "\nSTATUS=reloading the configuration");
  }

  /** The service is stopping. */
  public void stopping() {
    send("STOPPING=1\nSTATUS=stopping");
  }

  /**
   * Pings the watchdog at half of {@code $WATCHDOG_USEC} while {@code alive} holds; does nothing when
   * systemd asked for no watchdog. Safe to call once.
   */
  public synchronized void startWatchdog(BooleanSupplier alive) {
    Objects.requireNonNull(alive, "alive");
    if (!enabled() || watchdogInterval.isEmpty() || watchdog != null) {
      return;
    }
    long every = Math.max(1, watchdogInterval.get().toMillis());
    watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "certkeeper-watchdog");
      t.setDaemon(true);
      return t;
    });
    watchdog.scheduleAtFixedRate(() -> {
      try {
        if (alive.getAsBoolean()) {
          send("WATCHDOG=1");
        }
      } catch (RuntimeException e) {
        log.warn("systemd - watchdog check failed: {}", ErrorText.of(e));
      }
    }, 0, every, TimeUnit.MILLISECONDS);
    log.info("systemd - watchdog every {} ms", every);
  }

  /** Sends one message; failures are logged, never thrown: systemd's view must not stop the daemon. */
  synchronized void send(String message) {
    if (socketName.isEmpty() || closed) {
      return;
    }
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > MAX_MESSAGE) {
      throw new IllegalArgumentException("sd_notify message too long: " + bytes.length + " bytes");
    }
    try {
      if (socket == null) {
        Epoll.ensureAvailability();
        socket = LinuxSocket.newSocketDomainDgram();
      }
      ByteBuffer buf = ByteBuffer.allocateDirect(bytes.length);
      buf.put(bytes).flip();
      int sent = socket.sendToDomainSocket(buf, 0, bytes.length, address(socketName.get()));
      if (sent != bytes.length) {
        log.warn("systemd - {}: sent {} of {} bytes of '{}'", socketName.get(), sent, bytes.length, firstLine(message));
      } else {
        log.debug("systemd - {}: {}", socketName.get(), message.replace('\n', ' '));
      }
    } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
      log.warn("systemd - cannot notify {} of '{}': {}", socketName.get(), firstLine(message), ErrorText.of(e));
    }
  }

  /**
   * Bytes in {@code sockaddr_un.sun_path} on Linux. A path needs its terminating NUL in there; an
   * abstract name (leading NUL) may fill it.
   */
  static final int SUN_PATH_SIZE = 108;

  /** The socket address bytes: a path, or for {@code @name} the abstract name after a NUL byte. */
  static byte[] address(String name) {
    boolean abstractName = name.startsWith("@");
    String path = abstractName ? "\0" + name.substring(1) : name;
    byte[] b = path.getBytes(StandardCharsets.UTF_8);
    if (b.length > (abstractName ? SUN_PATH_SIZE : SUN_PATH_SIZE - 1)) {
      throw new IllegalArgumentException("NOTIFY_SOCKET too long: " + name);
    }
    return b;
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s*\\R\\s*", " ").trim();
  }

  private static String firstLine(String message) {
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (watchdog != null) {
      watchdog.shutdownNow();
    }
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        log.debug("systemd - closing the notify socket: {}", ErrorText.of(e));
      }
    }
  }
}
