package io.certkeeper.renew;

import java.io.IOException;
import java.util.Optional;

/**
 * The TLS listeners that run in this process, as a renewal sees them: the daemon's. A CLI process
 * has none ({@link #NONE}); the daemon's listeners then pick a renewal up through their file
 * watcher, and the daemon checks them (see {@link ListenerCheck}).
 */
public interface ServingListeners {
  /** No listener runs in this process (the CLI, tests, a daemon before its listeners start). */
  ServingListeners NONE = new ServingListeners() {
    @Override
    public void reloadManaged(String certificate) {}

    @Override
    public Optional<String> served(String listener) {
      return Optional.empty();
    }
  };

  /** Reloads, now, every listener that serves managed certificate {@code certificate}. */
  void reloadManaged(String certificate);

  /**
   * The SHA-256 of the leaf {@code listener} presents to a new connection, by a real connection.
   *
   * @return empty when that listener does not run in this process (not started yet, or another
   *     process's)
   * @throws IOException when it runs but the check connection failed
   */
  Optional<String> served(String listener) throws IOException;
}
