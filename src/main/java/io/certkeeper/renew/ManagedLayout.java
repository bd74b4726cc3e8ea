package io.certkeeper.renew;

import java.nio.file.Path;

/**
 * Where certkeeper keeps each managed certificate's own copy under the data directory:
 * {@code managed/NAME/generations/SERIAL/} holds one complete generation (key, certificate,
 * chain, full chain) and {@code managed/NAME/current} is a symlink to the generation in force.
 * Switching generations is one atomic rename of that link, so readers always see a matching
 * key and certificate; the previous generation stays for rollback.
 */
public final class ManagedLayout {
  public static final String KEY = "key.pem";
  public static final String CERT = "cert.pem";
  public static final String CHAIN = "chain.pem";
  public static final String FULLCHAIN = "fullchain.pem";

  private ManagedLayout() {}

  public static Path root(Path dataDir, String name) {
    return dataDir.resolve("managed").resolve(name);
  }

  /** The symlink to the generation in force. */
  public static Path current(Path dataDir, String name) {
    return root(dataDir, name).resolve("current");
  }

  public static Path generations(Path dataDir, String name) {
    return root(dataDir, name).resolve("generations");
  }

  public static Path currentKey(Path dataDir, String name) {
    return current(dataDir, name).resolve(KEY);
  }

  public static Path currentFullchain(Path dataDir, String name) {
    return current(dataDir, name).resolve(FULLCHAIN);
  }
}
