package io.certkeeper.probe;

import static io.certkeeper.util.Preconditions.requireArgument;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * An HTTP proxy reached with {@code CONNECT}, parsed from {@code http://[user:pass@]host:port}.
 * Credentials, when present, are sent with Basic authentication; {@link #toString} hides them.
 */
public record ProxyEndpoint(String host, int port, Optional<String> user, Optional<String> password) {
  public ProxyEndpoint {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    requireArgument(!host.isEmpty(), "proxy: empty host");
    requireArgument(port > 0 && port < 65536, "proxy: port out of range: %s", port);
    requireArgument(user.isPresent() == password.isPresent(),
        "proxy: give both a user and a password, or neither");
  }

  /** Parses {@code http://[user:pass@]host:port}; the port is required. */
  public static ProxyEndpoint parse(String text) {
    Objects.requireNonNull(text, "text");
    URI uri;
    try {
      uri = new URI(text.strip());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("proxy '" + redact(text) + "': " + e.getReason(), e);
    }
    requireArgument("http".equalsIgnoreCase(uri.getScheme()),
        "proxy '%s': only http:// proxies are supported", redact(text));
    requireArgument(uri.getHost() != null, "proxy '%s': missing host", redact(text));
    requireArgument(uri.getPort() > 0, "proxy '%s': missing port", redact(text));
    String path = uri.getRawPath();
    requireArgument(path == null || path.isEmpty() || path.equals("/"),
        "proxy '%s': unexpected path '%s'", redact(text), path);
    Optional<String> user = Optional.empty();
    Optional<String> password = Optional.empty();
    String info = uri.getRawUserInfo();
    if (info != null) {
      int colon = info.indexOf(':');
      requireArgument(colon > 0, "proxy '%s': write credentials as user:password", redact(text));
      user = Optional.of(URLDecoder.decode(info.substring(0, colon), StandardCharsets.UTF_8));
      password = Optional.of(URLDecoder.decode(info.substring(colon + 1), StandardCharsets.UTF_8));
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new ProxyEndpoint(host, uri.getPort(), user, password);
  }

  @Override
  public String toString() {
    return "http://" + (user.isPresent() ? user.get() + ":***@" : "")
        + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  private static String redact(String text) {
    return text.replaceAll("(?<=://)([^:@/]*):[^@/]*@", "$1:***@");
  }
}
