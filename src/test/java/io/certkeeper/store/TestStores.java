package io.certkeeper.store;

import java.nio.file.Path;

/**
 * The store the repository tests run against: an H2 file under the test's temporary directory. The
 * tests take their store only from here, so that a harness can run them on another engine by
 * changing this one method.
 */
final class TestStores {
  private TestStores() {}

  static Store open(Path dir) throws StoreException {
    return Store.openEmbedded(dir, 4);
  }
}
