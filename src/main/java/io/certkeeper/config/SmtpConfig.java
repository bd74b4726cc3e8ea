package io.certkeeper.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code smtp:} — the mail server alerts go through. Without {@code host} no mail is sent and
 * alerts are not evaluated.
 *
 * @param host the server; absent means alert mail is off
 * @param port default 25 for {@code none}, 587 for {@code starttls}, 465 for {@code smtps}
 * @param security {@code starttls} (default; the upgrade is required, never skipped),
 *     {@code smtps} (TLS from the first byte) or {@code none} (plain text, for a local relay)
 * @param user user for SMTP AUTH; requires {@code password}
 * @param password reference to the password
 * @param from the sender address (required with {@code host})
 * @param caFiles trust only these PEM anchors for the server certificate; the JDK's trust store when
 *     empty
 * @param connectTimeout time to connect (default 10s)
 * @param readTimeout time for each server reply and each write (default 30s)
 */
public record SmtpConfig(Optional<String> host, int port, SmtpSecurity security, Optional<String> user,
    Optional<SecretRef> password, Optional<String> from, List<Path> caFiles, Duration connectTimeout,
    Duration readTimeout) {
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);

  public SmtpConfig {
    java.util.Objects.requireNonNull(security, "security");
    caFiles = List.copyOf(caFiles);
  }

  static SmtpConfig read(ConfigNode n, Path baseDir) throws ConfigException {
    n.allowOnly("host", "port", "security", "user", "password", "from", "ca-files", "connect-timeout",
        "read-timeout");
    SmtpSecurity security = n.choice("security", SmtpSecurity.class).orElse(SmtpSecurity.DEFAULT);
    Optional<String> host = n.string("host");
    Optional<String> user = n.string("user");
    Optional<SecretRef> password = n.secret("password");
    Optional<String> from = n.string("from");
    if (user.isPresent() != password.isPresent()) {
      throw n.error(user.isPresent() ? "'user' needs 'password'" : "'password' needs 'user'");
    }
    if (host.isPresent() && from.isEmpty()) {
      throw n.error("missing required key 'from' (the sender address of alert mail)");
    }
    if (from.isPresent() && !from.get().contains("@")) {
      throw n.require("from").error("expected an e-mail address, got '" + from.get() + "'");
    }
    List<Path> caFiles = n.list("ca-files", item -> baseDir.resolve(item.asPath()).normalize());
    return new SmtpConfig(host, n.integer("port", 1, 65535, security.defaultPort()), security, user, password,
        from, caFiles, timeout(n, "connect-timeout", DEFAULT_CONNECT_TIMEOUT),
        timeout(n, "read-timeout", DEFAULT_READ_TIMEOUT));
  }

  private static Duration timeout(ConfigNode n, String key, Duration def) throws ConfigException {
    Duration d = n.duration(key, def);
    if (d.toMillis() < 100 || d.compareTo(Duration.ofMinutes(10)) > 0) {
      throw n.require(key).error("must be between 100ms and 10m");
    }
    return d;
  }

  public static SmtpConfig defaults() {
    return new SmtpConfig(Optional.empty(), SmtpSecurity.DEFAULT.defaultPort(), SmtpSecurity.DEFAULT, Optional.empty(),
        Optional.empty(), Optional.empty(), List.of(), DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT);
  }

  /** Whether alert mail is on (a host is configured). */
  public boolean isEnabled() {
    return host.isPresent();
  }
}
