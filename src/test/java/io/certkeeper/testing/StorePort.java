package io.certkeeper.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/** What a test needs to look at the daemon's store server from outside: its {@code store.server} file and its socket. */
public final class StorePort {
  /** 127.0.0.1 in /proc/net/tcp, and as ::ffff:127.0.0.1 in /proc/net/tcp6. */
  public static final String LOOPBACK_V4 = "0100007F";
  public static final String LOOPBACK_V4_MAPPED = "0000000000000000FFFF0000" + LOOPBACK_V4;

  private StorePort() {}

  /** The file the daemon writes next to the database while it serves it: {@code port}, {@code key}, {@code pid}. */
  public static Properties serverFile(Path dataDir) throws IOException {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(dataDir.resolve("store.server"))) {
      p.load(in);
    }
    return p;
  }

  public static int port(Properties server) {
    return Integer.parseInt(server.getProperty("port"));
  }

  /** The JDBC URL of the served store: loopback, the port, the database's key. */
  public static String url(Properties server) {
    return "jdbc:h2:tcp://127.0.0.1:" + port(server) + "/" + server.getProperty("key");
  }

  /** This host's addresses that are not loopback (nor IPv6 link-local), on interfaces that are up. */
  public static List<InetAddress> nonLoopbackAddresses() throws IOException {
    List<InetAddress> out = new ArrayList<>();
    for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
      if (!ni.isUp() || ni.isLoopback()) {
        continue;
      }
      for (InetAddress a : ni.inetAddresses().toList()) {
        if (!a.isLoopbackAddress() && !(a instanceof Inet6Address && a.isLinkLocalAddress())) {
          out.add(a);
        }
      }
    }
    return out;
  }

  /** The local addresses (the kernel's hex notation) of every listening TCP socket on {@code port}. */
  public static List<String> listeningOn(int port) throws IOException {
    List<String> out = new ArrayList<>();
    String hexPort = String.format(Locale.ROOT, "%04X", port);
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path p = Path.of(table);
      if (!Files.exists(p)) {
        continue;
      }
      List<String> lines = Files.readAllLines(p);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        String local = f[1];
        if (f[3].equals("0A") && local.endsWith(":" + hexPort)) {
          out.add(local.substring(0, local.indexOf(':')));
        }
      }
    }
    return out;
  }

  /** Whether {@code bound} (from {@link #listeningOn}) is 127.0.0.1 alone, as an IPv4 or a dual-stack socket. */
  public static boolean loopbackOnly(List<String> bound) {
    return bound.size() == 1 && (bound.get(0).equals(LOOPBACK_V4) || bound.get(0).equals(LOOPBACK_V4_MAPPED));
  }
}
