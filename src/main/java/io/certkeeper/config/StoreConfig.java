package io.certkeeper.config;

import io.certkeeper.util.Redaction;
import java.util.Optional;

/**
 * {@code store:} — the database.
 *
 * @param url JDBC URL; absent means the embedded H2 file {@code <data-dir>/certkeeper} (shared by
 *     the daemon and the CLI: the daemon serves it to commands, see {@code store.StoreServer})
 * @param user database user, for PostgreSQL
 * @param password reference to the database password
 * @param poolSize maximum connections in the pool (default 10)
 */
public record StoreConfig(Optional<String> url, Optional<String> user, Optional<SecretRef> password, int poolSize) {
  public static final int DEFAULT_POOL_SIZE = 10;

  static StoreConfig read(ConfigNode n) throws ConfigException {
    n.allowOnly("url", "user", "password", "pool-size");
    Optional<String> url = n.string("url");
    if (url.isPresent() && !url.get().startsWith("jdbc:h2:") && !url.get().startsWith("jdbc:postgresql:")) {
      throw n.require("url").error("only jdbc:h2: and jdbc:postgresql: URLs are supported, got '"
          + Redaction.url(url.get()) + "'");
    }
    return new StoreConfig(url, n.string("user"), n.secret("password"),
        n.integer("pool-size", 2, 200, DEFAULT_POOL_SIZE));
  }

  public static StoreConfig defaults() {
    return new StoreConfig(Optional.empty(), Optional.empty(), Optional.empty(), DEFAULT_POOL_SIZE);
  }

}
